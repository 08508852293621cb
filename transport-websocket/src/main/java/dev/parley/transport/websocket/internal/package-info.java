/** The Engine.IO session, the Socket.IO codec and the servlet and endpoint; not API. */
@NullMarked
package dev.parley.transport.websocket.internal;

import org.jspecify.annotations.NullMarked;
