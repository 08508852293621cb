/**
 * The exceptions Parley raises. All are unchecked and extend {@link dev.parley.error.ParleyException};
 * asynchronous failures arrive as error signals of the returned {@code Mono} or {@code Flux}.
 */
@NullMarked
package dev.parley.error;

import org.jspecify.annotations.NullMarked;
