/**
 * The boundaries that transports, stores and hosts implement. Applications do not need this package
 * except to plug in their own implementation; providers are found with {@link java.util.ServiceLoader}
 * on the class path ({@code META-INF/services}) and on the module path ({@code provides}).
 */
@NullMarked
package dev.parley.spi;

import org.jspecify.annotations.NullMarked;
