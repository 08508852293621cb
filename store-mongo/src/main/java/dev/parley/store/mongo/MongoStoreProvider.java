package dev.parley.store.mongo;

import com.mongodb.ConnectionString;
import dev.parley.spi.ProviderContext;
import dev.parley.spi.Store;
import dev.parley.spi.StoreProvider;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Provides the {@code "mongo"} store. The connection string comes from the system property
 * {@value #URI_PROPERTY}, else the environment variable {@value #URI_VARIABLE}, else
 * {@value MongoStoreConfig#DEFAULT_CONNECTION_STRING}; a database named in the connection string's path
 * ({@code mongodb://host/chat}) is used instead of {@value MongoStoreConfig#DEFAULT_DATABASE}. For any
 * other setting, build a {@link MongoStore} and give it to {@code ChatServer.builder().store(store)}.
 */
public final class MongoStoreProvider implements StoreProvider {
  /** The system property holding the connection string. */
  public static final String URI_PROPERTY = "parley.mongodb.uri";
  /** The environment variable holding the connection string. */
  public static final String URI_VARIABLE = "PARLEY_MONGODB_URI";

  private final Function<String, @Nullable String> environment;

  /** Cheap: the store is made by {@link #create}. */
  public MongoStoreProvider() {
    this(System::getenv);
  }

  MongoStoreProvider(Function<String, @Nullable String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "mongo";
  }

  @Override
  public Store create(ProviderContext context) {
    return new MongoStore(config());
  }

  /** The config this provider's stores get. */
  MongoStoreConfig config() {
    String uri = System.getProperty(URI_PROPERTY);
    if (uri == null || uri.isBlank()) {
      uri = environment.apply(URI_VARIABLE);
    }
    MongoStoreConfig.Builder builder = MongoStoreConfig.builder();
    if (uri != null && !uri.isBlank()) {
      builder.connectionString(uri.strip());
      String database = new ConnectionString(uri.strip()).getDatabase();
      if (database != null && !database.isEmpty()) {
        builder.database(database);
      }
    }
    return builder.build();
  }
}
