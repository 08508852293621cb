/**
 * Building blocks that Parley's own modules share on both ends of a connection (the lifecycle template,
 * the serial drain behind every write loop). Public so that the server, its stores, hosts and transports,
 * and the client can use them; they are not part of the API an application programs against and may
 * change between minor versions.
 */
@NullMarked
package dev.parley.protocol.support;

import org.jspecify.annotations.NullMarked;
