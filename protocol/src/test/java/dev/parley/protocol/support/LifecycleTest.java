package dev.parley.protocol.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  /** Records what ran; {@code doStart} can be made to fail or to wait. */
  private static final class Recorder extends Lifecycle {
    final List<String> calls = new ArrayList<>();
    RuntimeException failStart;
    CountDownLatch startEntered = new CountDownLatch(1);
    CountDownLatch releaseStart = new CountDownLatch(0);

    Recorder() {
      super("Recorder");
    }

    @Override
    protected void doStart() {
      calls.add("start");
      startEntered.countDown();
      try {
        releaseStart.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failStart != null) {
        throw failStart;
      }
    }

    @Override
    protected void doStop() {
      calls.add("stop");
    }
  }

  @Test
  void startsOnceAndStopsOnce() {
    Recorder component = new Recorder();
    component.start();
    component.start();
    assertThat(component.isRunning()).isTrue();
    component.stop();
    component.stop();
    assertThat(component.calls).containsExactly("start", "stop");
    assertThat(component.state()).isEqualTo(Lifecycle.State.STOPPED);
  }

  @Test
  void aStoppedComponentCannotBeStartedAgain() {
    Recorder component = new Recorder();
    component.start();
    component.stop();
    assertThatThrownBy(component::start).isInstanceOf(IllegalStateException.class)
        .hasMessage("Recorder is stopped; make a new one");
    assertThatThrownBy(component::checkStarted).hasMessage("Recorder is stopped");
  }

  @Test
  void stoppingANewComponentRunsNothingAndForbidsAStart() {
    Recorder component = new Recorder();
    assertThatThrownBy(component::checkStarted).hasMessage("Recorder is not started; call start() first");
    component.stop();
    assertThat(component.calls).isEmpty();
    assertThatThrownBy(component::start).hasMessageContaining("stopped");
  }

  @Test
  void aFailedStartReleasesWhatItTookAndRethrows() {
    Recorder component = new Recorder();
    component.failStart = new IllegalArgumentException("no port");
    assertThatThrownBy(component::start).isSameAs(component.failStart);
    assertThat(component.state()).isEqualTo(Lifecycle.State.FAILED);
    assertThat(component.calls).containsExactly("start", "stop");
    component.stop();
    assertThat(component.calls).containsExactly("start", "stop");
    assertThatThrownBy(component::start).hasMessage("Recorder is failed; make a new one");
  }

  @Test
  void aStopDuringAStartWaitsForItAndThenUndoesIt() throws Exception {
    Recorder component = new Recorder();
    component.releaseStart = new CountDownLatch(1);
    Thread starter = new Thread(component::start);
    starter.start();
    assertThat(component.startEntered.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(component.state()).isEqualTo(Lifecycle.State.STARTING);
    Thread stopper = new Thread(component::stop);
    stopper.start();
    component.releaseStart.countDown();
    starter.join(10_000);
    stopper.join(10_000);
    assertThat(component.calls).containsExactly("start", "stop");
    assertThat(component.state()).isEqualTo(Lifecycle.State.STOPPED);
  }

  @Test
  void aStopThatThrowsStillLeavesTheComponentStopped() {
    Lifecycle component = new Lifecycle("Broken") {
      @Override
      protected void doStart() {
      }

      @Override
      protected void doStop() {
        throw new IllegalStateException("socket will not close");
      }
    };
    component.start();
    assertThatThrownBy(component::stop).hasMessage("socket will not close");
    assertThat(component.state()).isEqualTo(Lifecycle.State.STOPPED);
    component.stop();
  }
}
