/** The client's connection state machine, the Engine.IO link and argument handling; not API. */
@NullMarked
package dev.parley.client.internal;

import org.jspecify.annotations.NullMarked;
