package dev.parley.containers;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.nio.file.Path;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/**
 * A plain embedded Tomcat on 127.0.0.1, any free port, with one root context that runs the given initializers in
 * that order and nothing else (no class path scanning, no default servlet). Tomcat's types stay inside this
 * class: the test classes must load without them (in the Jetty test run, Tomcat is not on the class path).
 */
final class EmbeddedTomcat implements AutoCloseable {
  private final Tomcat tomcat = new Tomcat();
  private final Connector connector = new Connector();
  private final Context context;

  /**
   * @param failOnServletErrors whether a servlet that fails to start fails the context's start
   *     ({@code StandardContext.failCtxIfServletStartFails}); Tomcat's default is false
   */
  EmbeddedTomcat(Path baseDir, List<ServletContainerInitializer> initializers, boolean failOnServletErrors) {
    tomcat.setBaseDir(baseDir.toString());
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    context = tomcat.addContext("", baseDir.toString());
    ((StandardContext) context).setFailCtxIfServletStartFails(failOnServletErrors);
    for (ServletContainerInitializer initializer : initializers) {
      context.addServletContainerInitializer(initializer, null);
    }
  }

  /** Starts Tomcat; a context that fails to start does not make this throw (see {@link #contextState()}). */
  EmbeddedTomcat start() throws LifecycleException {
    tomcat.start();
    return this;
  }

  int port() {
    return connector.getLocalPort();
  }

  ServletContext servletContext() {
    return context.getServletContext();
  }

  /** The context's lifecycle state: {@code "STARTED"}, {@code "STOPPED"}, ... */
  String contextState() {
    return context.getState().name();
  }

  @Override
  public void close() throws LifecycleException {
    tomcat.stop();
    tomcat.destroy();
  }
}
