package dev.parley.internal;

import dev.parley.ChatServerConfig;
import dev.parley.spi.Host;
import dev.parley.spi.Store;
import dev.parley.spi.Transport;
import java.util.List;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/** What a {@code ChatServer.Builder} collected; null parts are discovered or created by the server. */
public record ServerParts(
    ChatServerConfig config,
    List<Transport> transports,
    @Nullable Store store,
    @Nullable Host host,
    @Nullable Executor executor,
    @Nullable Scheduler scheduler,
    @Nullable JsonMapper jsonMapper) {
}
