package dev.parley.spring.boot.autoconfigure;

/** The starter on Boot's default container, Tomcat, whose WebSocket initializer runs after Boot's. */
class TomcatStarterTest extends StarterScenario {
  @Override
  String[] containerProperties() {
    return new String[] {"spring.autoconfigure.exclude="
        + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration"};
  }

  @Override
  String containerName() {
    return "Tomcat";
  }
}
