/** The stream writer, the POST decoder, session tokens and the servlet; not API. */
@NullMarked
package dev.parley.transport.sse.internal;

import org.jspecify.annotations.NullMarked;
