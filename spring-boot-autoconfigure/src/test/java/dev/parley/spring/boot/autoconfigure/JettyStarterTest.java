package dev.parley.spring.boot.autoconfigure;

/** The starter on Boot's Jetty (EE 11), chosen as an application does by leaving Tomcat out. */
class JettyStarterTest extends StarterScenario {
  @Override
  String[] containerProperties() {
    return new String[] {"spring.autoconfigure.exclude="
        + "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration"};
  }

  @Override
  String containerName() {
    return "Jetty";
  }
}
