/**
 * The boundaries that transports, stores and hosts implement. Applications do not need this package
 * except to plug in their own implementation; providers are found with {@link java.util.ServiceLoader}
 * on the class path ({@code META-INF/services}) and on the module path ({@code provides}).
 *
 * <h2>Words</h2>
 *
 * "Session" means several things around Parley; in its code and documentation each has one name:
 *
 * <ul>
 *   <li><b>session</b>: the engine's side of one client connection, a {@link Session} (the engine's
 *   {@code DefaultSession}), from the transport's {@link TransportContext#open} to its close. It holds one
 *   channel per namespace the client joined.
 *   <li><b>session id</b>: {@link Session#id()}. Over WebSocket it is Engine.IO's {@code sid}; over SSE, the
 *   {@code session} field of the {@code parley:session} event, which posts send back as {@code ?sid=} or
 *   {@code X-Parley-Session}.
 *   <li><b>socket</b> (or <b>stream</b> for SSE): the container's connection the transport writes to. A
 *   {@code jakarta.websocket.Session} is called a socket, never a session.
 *   <li><b>channel</b>: one client in one namespace. Its id is the {@code sid} of Socket.IO's CONNECT
 *   answer and of SSE's {@code parley:session} event; it is not the session id.
 *   <li><b>saved session</b>: the state of a channel whose connection dropped, kept for connection state
 *   recovery by {@link Store#saveSession} and {@link Store#takeSession} under the channel's private id. It
 *   belongs to a channel, not to a session; the methods keep Socket.IO's name for it.
 * </ul>
 */
@NullMarked
package dev.parley.spi;

import org.jspecify.annotations.NullMarked;
