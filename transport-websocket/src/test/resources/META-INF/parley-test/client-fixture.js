/*
 * A stand-in for the served client script in the transport's tests: it defines a global `io`, and checks,
 * when run under Node, that the minifier left every tricky construct meaning what it meant.
 */
(function (root) {
  'use strict';
  var results = [];
  function check(name, value) {
    results.push(name + '=' + JSON.stringify(value));
  }

  // Strings that look like comments, quotes and a line continuation.
  check('strings', ["// not a comment", '/* nor this */', "it's", 'say "hi"', 'a \
b', "tab\there", '\\']);

  // Operators that must not run together.
  var a = 5, b = 3;
  check('minus', a - -b);
  check('plus', a + +b);
  check('preInc', a + ++b);
  check('postInc', a++ + b);
  check('preDec', a - --b);
  check('arrowNext', [1, 2].map((x) =>
    x * 2));
  check('htmlOpen', a < !--b);
  check('htmlClose', (function () { var c = 3; return c-- > 2; })());

  // A line break after `return` ends the statement; one inside a block comment too.
  function early() {
    return
    42;
  }
  function earlyComment() {
    return /*
    */ 42;
  }
  function sameLine() {
    return /* same line */ 42;
  }
  check('return', [early(), earlyComment(), sameLine()]);

  // Automatic semicolon insertion elsewhere.
  var d = 1
  var e = d
  ++e
  check('asi', [d, e]);

  // Keywords that need their space.
  var o = { k: 1, 'in': 2 };
  check('keywords', [typeof o, o instanceof Object, 'k' in o, void 0, delete o.k, new Array(2).length]);

  // Template literals, nested and with substitutions holding braces, strings and comment-like text.
  var who = 'world';
  check('template', `hello ${who} ${ `inner ${ who + '!' }` } ${ { x: 1 }.x } // not a comment ${ '}' }`);
  check('multiline', `one
two`);
  check('tagged', (function (s, v) { return s.raw.join('|') + v; })`x${1}y`);

  // Regular expressions where an expression begins.
  var re = /[/]\/ +x/g;
  check('regex', ['a//  x'.replace(re, '#'), /a b/.test('a b'), (/c d/).source]);
  function rx() {
    return /^ *$/.test('   ');
  }
  check('regexReturn', rx());

  // Division where an expression ends.
  var arr = [8];
  check('division', [(a + b) / 2 / 1, arr[0] / 2, a / b]);

  // Numbers and member access.
  check('numbers', [1 .toString(), 1..toString(), .5 + .5, 1e-3, 0x1e+1, 1_000, 2 ** 3, a ? .5 : 1]);

  // Newer syntax.
  var maybe = null;
  class Counter {
    #count = 0;
    static label = 'counter';
    get count() { return this.#count; }
    increment() { this.#count++; return this; }
  }
  check('syntax', [maybe?.x, maybe ?? 'fallback', new Counter().increment().increment().count, Counter.label]);
  var café = 'unicode';
  check('unicode', café);
  outer: for (var i = 0; i < 3; i++) {
    for (var j = 0; j < 3; j++) {
      if (j === 1) continue outer;
      if (i === 2) break outer;
    }
  }
  check('labels', [i, j]);
  function* gen() { yield 1; yield /x/.source; }
  check('generator', Array.from(gen()));

  root.io = function io(url) {
    return { url: url || '/', connected: false };
  };
  root.io.protocol = 5;
  if (typeof process !== 'undefined') {
    console.log(results.join('\n'));
  }
})(typeof window !== 'undefined' ? window : globalThis);
