package dev.parley.transport.websocket.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A conservative JavaScript minifier for the served client script: it removes comments and the whitespace
 * between tokens, and nothing else. It keeps a space where two tokens would otherwise run together
 * ({@code a - -b}, {@code return x}, {@code 1 .toString()}), and a line break wherever dropping it could change
 * where automatic semicolon insertion puts a semicolon: it drops one only after an operator or an opening
 * bracket, where no statement can end, or before a token that cannot begin one ({@code ) ] } , ; . :} and the
 * binary operators). String, template and regular expression literals are copied unchanged, template literals
 * with their {@code ${…}} substitutions minified like any other code.
 *
 * <p>A {@code /} is read as a regular expression only where an expression begins: after an operator, an opening
 * bracket, {@code ,}, {@code ;}, or a keyword such as {@code return} or {@code typeof}; after {@code )},
 * {@code ]}, a name or a literal it is division. So a script must not put a regular expression literal right
 * after {@code )} ({@code if (x) /a b/.test(s)} would be read as divisions): brace the statement. A {@code /}
 * right after {@code }} could be either and is refused. Stateless; thread-safe.
 */
final class ScriptMinifier {
  // Longest first: the tokenizer takes the longest punctuator that matches (as a JavaScript lexer does).
  private static final List<String> PUNCTUATORS = List.of(">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>",
      "&&=", "||=", "??=", "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=",
      "%=", "&=", "|=", "^=", "**", "<<", ">>");
  private static final String SINGLE_PUNCTUATORS = "{}()[];,<>+-*/%&|^!~?:=.@#";
  // After these a statement cannot have ended, so a line break there never ends one.
  private static final Set<String> ENDS_EXPRESSION = Set.of(")", "]", "}", "++", "--");
  // Tokens that cannot begin a statement: before them a line break inserts no semicolon.
  private static final Set<String> CONTINUES = Set.of(")", "]", "}", ",", ";", ".", "?.", ":", "?", "=", "==", "===",
      "!=", "!==", "<", ">", "<=", ">=", "*", "**", "%", "&&", "||", "??", "&", "|", "^", "<<", ">>", ">>>", "+=",
      "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^=", "&&=", "||=", "??=", "=>");
  // Keywords after which a `/` begins a regular expression, not a division.
  private static final Set<String> BEFORE_EXPRESSION = Set.of("return", "typeof", "instanceof", "in", "of", "new",
      "delete", "void", "throw", "case", "do", "else", "yield", "await", "extends");

  private ScriptMinifier() {
  }

  /**
   * The script without its comments and needless whitespace.
   *
   * @throws IllegalArgumentException naming the line, for an unterminated string, template, comment or regular
   *     expression, or a {@code /} after {@code }} that could be either a regular expression or a division
   */
  static String minify(String source) {
    return new Run(source).minify();
  }

  private enum Kind {
    WORD, NUMBER, PUNCTUATOR, STRING, REGEX,
    /** A whole template literal, or its part from the last substitution's {@code }} to the closing backtick. */
    TEMPLATE_END,
    /** A template literal's part up to and including a {@code ${}. */
    TEMPLATE_HEAD
  }

  private static final class Run {
    private final String src;
    private final StringBuilder out;
    // For each open `{` and `${`: true for a template substitution, whose `}` resumes the template.
    private final Deque<Boolean> braces = new ArrayDeque<>();
    private int pos;
    private @Nullable String prev;
    private @Nullable Kind prevKind;
    private boolean gap;
    private boolean lineBreak;

    Run(String src) {
      this.src = src;
      this.out = new StringBuilder(src.length() / 2);
    }

    String minify() {
      int n = src.length();
      while (pos < n) {
        char c = src.charAt(pos);
        char next = pos + 1 < n ? src.charAt(pos + 1) : 0;
        if (isLineTerminator(c)) {
          gap = true;
          lineBreak = true;
          pos++;
        } else if (isWhitespace(c)) {
          gap = true;
          pos++;
        } else if (c == '/' && next == '/') {
          while (pos < n && !isLineTerminator(src.charAt(pos))) {
            pos++;
          }
          gap = true;
        } else if (c == '/' && next == '*') {
          int end = src.indexOf("*/", pos + 2);
          if (end < 0) {
            throw error("unterminated comment");
          }
          for (int i = pos + 2; i < end; i++) {
            lineBreak |= isLineTerminator(src.charAt(i));
          }
          gap = true;
          pos = end + 2;
        } else {
          token(c, next);
        }
      }
      return out.toString();
    }

    private void token(char c, char next) {
      int start = pos;
      if (c == '"' || c == '\'') {
        string(c);
        emit(start, Kind.STRING);
      } else if (c == '`') {
        pos++;
        emit(start, template());
      } else if (c == '}' && Boolean.TRUE.equals(braces.peek())) {
        braces.pop();
        pos++;
        emit(start, template());
      } else if (isDigit(c) || (c == '.' && isDigit(next))) {
        pos += numberLength(src, pos);
        emit(start, Kind.NUMBER);
      } else if (isWordChar(c) || (c == '#' && isWordChar(next))) {
        if (c == '#') {
          pos++;
        }
        word();
        emit(start, Kind.WORD);
      } else if (c == '/' && regexAllowed()) {
        regex();
        emit(start, Kind.REGEX);
      } else {
        int length = punctuatorLength(src, pos);
        if (length == 0) {
          throw error(String.format("unexpected character '%s' (U+%04X)", c, (int) c));
        }
        pos += length;
        String punctuator = src.substring(start, pos);
        if (punctuator.equals("{")) {
          braces.push(false);
        } else if (punctuator.equals("}") && !braces.isEmpty()) {
          braces.pop();
        }
        emit(start, Kind.PUNCTUATOR);
      }
    }

    private void emit(int start, Kind kind) {
      String token = src.substring(start, pos);
      if (prev != null && prevKind != null && gap) {
        if (lineBreak && !lineBreakDroppable(prev, prevKind, token, kind)) {
          out.append('\n');
        } else if (needsSpace(prev, prevKind, token, kind)) {
          out.append(' ');
        }
      }
      // Annex B reads `<!--` and a line's leading `-->` as comments in a browser: removed spaces must not make
      // one, even across three tokens (`a < !--b`).
      String joint = out.substring(Math.max(0, out.length() - 3)) + token.substring(0, Math.min(3, token.length()));
      if (joint.contains("<!--") || joint.contains("-->")) {
        out.append(' ');
      }
      out.append(token);
      prev = token;
      prevKind = kind;
      gap = false;
      lineBreak = false;
    }

    private boolean lineBreakDroppable(String before, Kind beforeKind, String token, Kind kind) {
      if (beforeKind == Kind.TEMPLATE_HEAD
          || (beforeKind == Kind.PUNCTUATOR && !ENDS_EXPRESSION.contains(before))) {
        return true;
      }
      // A template's part after a substitution begins with the `}` that closed it.
      return (kind == Kind.PUNCTUATOR && CONTINUES.contains(token))
          || ((kind == Kind.TEMPLATE_END || kind == Kind.TEMPLATE_HEAD) && token.charAt(0) == '}');
    }

    private boolean needsSpace(String before, Kind beforeKind, String token, Kind kind) {
      boolean wordBefore = beforeKind == Kind.WORD || beforeKind == Kind.NUMBER || beforeKind == Kind.REGEX;
      boolean wordAfter = kind == Kind.WORD || kind == Kind.NUMBER;
      if (wordBefore && wordAfter) {
        return true;
      }
      if (before.endsWith("/") && (token.startsWith("/") || token.startsWith("*"))) {
        return true;
      }
      if ((beforeKind == Kind.PUNCTUATOR || beforeKind == Kind.NUMBER)
          && (kind == Kind.PUNCTUATOR || kind == Kind.NUMBER)) {
        // Joined, would the first token read be longer than `before` (`+` `+`, `1` `.`)?
        String joined = before + token;
        return firstTokenLength(joined) != before.length();
      }
      return false;
    }

    private boolean regexAllowed() {
      if (prev == null || prevKind == Kind.TEMPLATE_HEAD) {
        return true;
      }
      if (prevKind == Kind.PUNCTUATOR) {
        if (prev.equals("}")) {
          throw error("a '/' after '}' could begin a regular expression or a division: parenthesize it");
        }
        return !ENDS_EXPRESSION.contains(prev);
      }
      return prevKind == Kind.WORD && BEFORE_EXPRESSION.contains(prev);
    }

    private void string(char quote) {
      int n = src.length();
      pos++;
      while (pos < n) {
        char c = src.charAt(pos);
        if (c == quote) {
          pos++;
          return;
        }
        if (c == '\\') {
          // An escaped CR LF is one line continuation.
          pos += pos + 2 < n && src.charAt(pos + 1) == '\r' && src.charAt(pos + 2) == '\n' ? 3 : 2;
        } else if (c == '\n' || c == '\r') {
          break;
        } else {
          pos++;
        }
      }
      throw error("unterminated string");
    }

    // From just after the opening backtick or a substitution's `}`: to the closing backtick, or to a `${`.
    private Kind template() {
      int n = src.length();
      while (pos < n) {
        char c = src.charAt(pos);
        if (c == '\\') {
          pos += 2;
        } else if (c == '`') {
          pos++;
          return Kind.TEMPLATE_END;
        } else if (c == '$' && pos + 1 < n && src.charAt(pos + 1) == '{') {
          pos += 2;
          braces.push(true);
          return Kind.TEMPLATE_HEAD;
        } else {
          pos++;
        }
      }
      throw error("unterminated template literal");
    }

    private void regex() {
      int n = src.length();
      boolean inClass = false;
      pos++;
      while (pos < n) {
        char c = src.charAt(pos);
        if (isLineTerminator(c) || (c == '\\' && pos + 1 < n && isLineTerminator(src.charAt(pos + 1)))) {
          break;
        }
        pos += c == '\\' ? 2 : 1;
        if (c == '[') {
          inClass = true;
        } else if (c == ']') {
          inClass = false;
        } else if (c == '/' && !inClass) {
          word();
          return;
        }
      }
      throw error("unterminated regular expression");
    }

    private void word() {
      int n = src.length();
      while (pos < n) {
        char c = src.charAt(pos);
        if (c == '\\' && pos + 2 < n && src.charAt(pos + 1) == 'u' && src.charAt(pos + 2) == '{') {
          int end = src.indexOf('}', pos);
          pos = end < 0 ? n : end + 1;
        } else if (c == '\\') {
          pos += 2;
        } else if (isWordChar(c)) {
          pos++;
        } else {
          return;
        }
      }
    }

    private IllegalArgumentException error(String message) {
      int line = 1;
      for (int i = 0; i < Math.min(pos, src.length()); i++) {
        if (src.charAt(i) == '\n') {
          line++;
        }
      }
      return new IllegalArgumentException("line " + line + ": " + message);
    }
  }

  // The first token of `text`, which begins with a punctuator or a number.
  private static int firstTokenLength(String text) {
    char c = text.charAt(0);
    if (isDigit(c) || (c == '.' && text.length() > 1 && isDigit(text.charAt(1)))) {
      return numberLength(text, 0);
    }
    return punctuatorLength(text, 0);
  }

  // 0 when `text` has no punctuator at `at`.
  private static int punctuatorLength(String text, int at) {
    for (String punctuator : PUNCTUATORS) {
      if (text.startsWith(punctuator, at)) {
        // `a?.5:b` is a conditional: `?.` before a digit is not optional chaining.
        if (punctuator.equals("?.") && at + 2 < text.length() && isDigit(text.charAt(at + 2))) {
          continue;
        }
        return punctuator.length();
      }
    }
    return SINGLE_PUNCTUATORS.indexOf(text.charAt(at)) < 0 ? 0 : 1;
  }

  private static int numberLength(String text, int at) {
    int n = text.length();
    int i = at;
    if (text.charAt(i) == '0' && i + 1 < n && "xXoObB".indexOf(text.charAt(i + 1)) >= 0) {
      i += 2;
      while (i < n && (Character.digit(text.charAt(i), 16) >= 0 || text.charAt(i) == '_')) {
        i++;
      }
    } else {
      i = digits(text, i);
      if (i < n && text.charAt(i) == '.') {
        i = digits(text, i + 1);
      }
      if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
        int j = i + 1;
        if (j < n && (text.charAt(j) == '+' || text.charAt(j) == '-')) {
          j++;
        }
        if (j < n && isDigit(text.charAt(j))) {
          i = digits(text, j);
        }
      }
    }
    if (i < n && text.charAt(i) == 'n') {
      i++;
    }
    return i - at;
  }

  private static int digits(String text, int at) {
    int i = at;
    while (i < text.length() && (isDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '$' || c == '\\'
        || (c >= 0x80 && !isWhitespace(c) && !isLineTerminator(c));
  }

  private static boolean isLineTerminator(char c) {
    return c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029';
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\u000B' || c == '\f' || c == '\u00A0' || c == '\uFEFF'
        || Character.getType(c) == Character.SPACE_SEPARATOR;
  }
}
