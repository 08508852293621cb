package dev.parley.store.mongo.internal;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientException;
import com.mongodb.MongoConnectionPoolClearedException;
import com.mongodb.MongoException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import dev.parley.error.StoreException;
import java.util.Set;

/** How the store tells MongoDB's errors apart: conflicts, passing trouble, and lost resume points. */
public final class MongoErrors {
  /** Server errors that pass: elections, shutdowns, network trouble reported by a router, timeouts. */
  private static final Set<Integer> TRANSIENT_CODES = Set.of(
      6, 7, 43, 63, 89, 91, 133, 150, 189, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436);
  /** A change stream's resume point is gone: ChangeStreamFatalError, ChangeStreamHistoryLost, CappedPositionLost. */
  private static final Set<Integer> HISTORY_LOST_CODES = Set.of(280, 286, 136);

  private MongoErrors() {
  }

  /** Whether the write failed because the key (a room's sequence number) is taken. */
  public static boolean isDuplicateKey(Throwable error) {
    if (error instanceof MongoWriteException write) {
      return write.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
    if (error instanceof MongoBulkWriteException bulk) {
      return bulk.getWriteErrors().stream()
          .allMatch(e -> ErrorCategory.fromErrorCode(e.getCode()) == ErrorCategory.DUPLICATE_KEY);
    }
    return error instanceof MongoServerException server
        && ErrorCategory.fromErrorCode(server.getCode()) == ErrorCategory.DUPLICATE_KEY;
  }

  /** Whether the error says the {@code MongoClient} was closed: nothing done with it can work again. */
  public static boolean isClientClosed(Throwable error) {
    String message = String.valueOf(error.getMessage());
    return (error instanceof IllegalStateException && message.contains("state should be: open"))
        || (error instanceof MongoClientException && message.contains("was closed"));
  }

  /** Whether trying again later may work: the network, a failover, a timeout. */
  public static boolean isTransient(Throwable error) {
    if (isClientClosed(error)) {
      return false;
    }
    if (error instanceof MongoSocketException || error instanceof MongoTimeoutException
        || error instanceof MongoInterruptedException) {
      return true;
    }
    if (error instanceof MongoException mongo && (mongo.hasErrorLabel("ResumableChangeStreamError")
        || mongo.hasErrorLabel("RetryableWriteError") || mongo.hasErrorLabel("TransientTransactionError"))) {
      return true;
    }
    if (error instanceof MongoServerException server) {
      return TRANSIENT_CODES.contains(server.getCode());
    }
    return error instanceof MongoClientException && !(error instanceof com.mongodb.MongoConfigurationException);
  }

  /**
   * Whether the database could not be reached at all: no server to select within the timeout, the
   * connection failed, or the driver paused its connection pool after such a failure. Whatever is sent
   * next is likely to wait as long and fail the same way.
   */
  public static boolean isUnreachable(Throwable error) {
    return error instanceof MongoTimeoutException || error instanceof MongoSocketException
        || error instanceof MongoConnectionPoolClearedException;
  }

  /** Whether the server says a change stream's resume point has left the oplog. */
  public static boolean isHistoryLost(Throwable error) {
    return error instanceof MongoServerException server && HISTORY_LOST_CODES.contains(server.getCode());
  }

  /** A server that refused the command: neither a network failure nor a transient state. */
  public static boolean isRefusal(Throwable error) {
    return error instanceof MongoServerException && !isTransient(error);
  }

  /** The error a caller sees: a {@link StoreException} saying what failed and why. */
  public static StoreException wrap(String what, Throwable error) {
    if (error instanceof StoreException store) {
      return store;
    }
    String why;
    if (isClientClosed(error)) {
      why = "its MongoClient was closed";
    } else if (isUnreachable(error)) {
      why = "the database is unreachable";
    } else if (isTransient(error)) {
      why = "the database is temporarily unavailable";
    } else {
      why = "the database refused it";
    }
    return new StoreException(what + " failed: " + why + " (" + error.getMessage() + ")", error);
  }
}
