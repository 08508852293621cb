package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptMinifierTest {
  static final String FIXTURE = "/META-INF/parley-test/client-fixture.js";

  @Test
  void commentsGoAndStringsThatLookLikeCommentsStay() {
    assertThat(ScriptMinifier.minify("var s = \"// not a comment\"; // a comment\nvar t = '/* nor */';"
        + " /* a\nblock */ var u = `// ${s} /* */`;"))
        .isEqualTo("var s=\"// not a comment\";var t='/* nor */';var u=`// ${s} /* */`;");
  }

  @Test
  void operatorsThatWouldRunTogetherKeepASpace() {
    assertThat(ScriptMinifier.minify("a - -b")).isEqualTo("a- -b");
    assertThat(ScriptMinifier.minify("a + +b")).isEqualTo("a+ +b");
    assertThat(ScriptMinifier.minify("a + ++b")).isEqualTo("a+ ++b");
    assertThat(ScriptMinifier.minify("a++ + b")).isEqualTo("a+++b");
    assertThat(ScriptMinifier.minify("a / /x/.source.length")).isEqualTo("a/ /x/.source.length");
    assertThat(ScriptMinifier.minify("a < !--b")).isEqualTo("a<! --b");
    assertThat(ScriptMinifier.minify("a ? .5 : 1")).isEqualTo("a?.5:1");
    assertThat(ScriptMinifier.minify("1 .toString(); 1..toString()")).isEqualTo("1 .toString();1..toString()");
  }

  @Test
  void keywordsKeepTheirSpace() {
    assertThat(ScriptMinifier.minify("return typeof x instanceof Y in o; new Foo ( 1 ) ; const a = b"))
        .isEqualTo("return typeof x instanceof Y in o;new Foo(1);const a=b");
    assertThat(ScriptMinifier.minify("x = /a b/g in o")).isEqualTo("x=/a b/g in o");
  }

  @Test
  void lineBreaksThatCanEndAStatementStay() {
    assertThat(ScriptMinifier.minify("return\nx")).isEqualTo("return\nx");
    assertThat(ScriptMinifier.minify("return /*\n*/ x")).isEqualTo("return\nx");
    assertThat(ScriptMinifier.minify("a\n++b")).isEqualTo("a\n++b");
    assertThat(ScriptMinifier.minify("let a = 1\nlet b = 2")).isEqualTo("let a=1\nlet b=2");
    assertThat(ScriptMinifier.minify("f(a,\n  b)\n  .then(c)\n}\n")).isEqualTo("f(a,b).then(c)}");
    assertThat(ScriptMinifier.minify("if (x) {\n  y();\n}\nz();")).isEqualTo("if(x){y();}\nz();");
  }

  @Test
  void templateLiteralsAreCopiedWithTheirSubstitutionsMinified() {
    assertThat(ScriptMinifier.minify("`a  ${ b + `c ${ d }` }  e ${ { k: 1 }.k }`"))
        .isEqualTo("`a  ${b+`c ${d}`}  e ${{k:1}.k}`");
    assertThat(ScriptMinifier.minify("x = `one\n  two`;")).isEqualTo("x=`one\n  two`;");
  }

  @Test
  void refusesWhatItCannotReadSafely() {
    assertThatThrownBy(() -> ScriptMinifier.minify("if (a) {}\n/x/.test(s)"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("line 2: a '/' after '}'");
    assertThatThrownBy(() -> ScriptMinifier.minify("var s = 'open\n';"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("line 1: unterminated string");
    assertThatThrownBy(() -> ScriptMinifier.minify("a /* b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("line 1: unterminated comment");
    assertThatThrownBy(() -> ScriptMinifier.minify("`a ${b}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("line 1: unterminated template literal");
    assertThatThrownBy(() -> ScriptMinifier.minify("x = /a\n/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("line 1: unterminated regular expression");
  }

  @Test
  void theMinifiedFixtureComputesWhatTheOriginalDoes(@TempDir Path dir) throws Exception {
    String original = fixture();
    String minified = ScriptMinifier.minify(original);
    Files.writeString(dir.resolve("original.js"), original);
    Files.writeString(dir.resolve("minified.js"), minified);

    NodeRun.Result expected = NodeRun.run(dir, "original.js");
    NodeRun.Result actual = NodeRun.run(dir, "minified.js");

    assertThat(expected.exit()).as(expected.output()).isZero();
    assertThat(expected.output()).contains("return=[null,null,42]");
    assertThat(actual.exit()).as("%s%nminified:%n%s", actual.output(), minified).isZero();
    assertThat(actual.output()).isEqualTo(expected.output());
    assertThat(minified.length()).isLessThan(original.length() * 3 / 4);
    System.out.printf("client-fixture.js: %d bytes, minified %d (%.0f%%)%n", original.length(), minified.length(),
        100.0 * minified.length() / original.length());
  }

  static String fixture() throws IOException {
    try (InputStream in = ScriptMinifierTest.class.getResourceAsStream(FIXTURE)) {
      assertThat(in).as(FIXTURE).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
