package io.shulian.core.policy.mask;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The fast path of {@link Masker#mask(byte[])}: masks a payload held in memory by scanning its
 * bytes once, with no parser or generator set-up and no String for a value no mask applies to
 * (such a string's bytes are copied as they are). It either succeeds with exactly the bytes the
 * Jackson path would write, or gives up ({@code null}) and the caller runs the Jackson path, which
 * then decides — and words — every refusal.
 *
 * <p>It therefore accepts a strict subset of what the Jackson path accepts, and gives up on
 * anything else: any syntax error or refusal (shape, duplicate, alias, division scope), a byte
 * order mark or another encoding than UTF-8, malformed or overlong UTF-8, escaped or non-BMP
 * member names, numbers over {@link #MAX_NUMBER} characters, names over {@link #MAX_NAME} bytes,
 * nesting as deep as the masker's limit, and payloads over {@link #MAX_PAYLOAD} bytes (Jackson's
 * length limits decide those). Output is written as Jackson's generator writes it: no whitespace,
 * numbers by their text, strings with {@code "}, {@code \} and control characters escaped
 * (short escapes where JSON has them, else {@code \}{@code u00XX}, upper-case hex), surrogates
 * (characters outside the BMP) as {@code \}{@code uXXXX} escapes, everything else as UTF-8.
 *
 * <p>Not thread-safe: one instance per call.
 */
final class ByteMasker {
  static final int MAX_NUMBER = 100;
  static final int MAX_NAME = 1000;
  static final int MAX_PAYLOAD = 16 << 20;
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

  /** Thrown to give up; carries nothing (no stack trace). */
  private static final class GiveUp extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final GiveUp INSTANCE = new GiveUp();

    private GiveUp() {
      super(null, null, false, false);
    }
  }

  /** The output buffer a reused instance starts with and returns to after an unusually long payload. */
  private static final int KEPT_BUFFER = 16 << 10;

  private final Masker m;
  private final Masker.State st = new Masker.State();
  private byte[] in = new byte[0];
  private int pos;
  private int end;
  private byte[] out;
  private int len;
  private int depth;
  /** Start and end of the last member name read (inside the quotes). */
  private int nameFrom;
  private int nameTo;

  /** An instance for one payload after another (its output buffer and MAC instances are reused). */
  ByteMasker(Masker m, int capacity) {
    this.m = m;
    this.out = new byte[capacity];
  }

  /** The masked payload, or null if the Jackson path must decide. */
  static byte @Nullable [] mask(Masker m, byte[] json) {
    int n = json.length;
    ByteMasker b = new ByteMasker(m, n + (n >>> 3) + 16);
    return b.run(json, 0, n) ? Arrays.copyOf(b.out, b.len) : null;
  }

  /**
   * Masks {@code json[off, off + n)} into this instance's buffer ({@link #output()}, {@link
   * #length()}); false (the buffer's content undefined) if the Jackson path must decide.
   */
  boolean run(byte[] json, int off, int n) {
    if (n > MAX_PAYLOAD) {
      return false;
    }
    if (out.length > KEPT_BUFFER && n < KEPT_BUFFER / 8) {
      out = new byte[KEPT_BUFFER]; // one unusually long payload does not pin a large buffer for good
    }
    in = json;
    pos = off;
    end = off + n;
    len = 0;
    depth = 0;
    try {
      top();
      ws();
      return pos == end;
    } catch (GiveUp | ArrayIndexOutOfBoundsException e) {
      return false;
    }
  }

  byte[] output() {
    return out;
  }

  int length() {
    return len;
  }

  /** Appends one byte to the output (after a successful {@link #run}). */
  void append(byte c) {
    put(c);
  }

  private static GiveUp giveUp() {
    return GiveUp.INSTANCE;
  }

  // ---- reading

  private void ws() {
    while (pos < end) {
      byte c = in[pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }

  /** The next non-blank byte (not consumed); gives up at the end. */
  private byte peek() {
    ws();
    if (pos >= end) {
      throw giveUp();
    }
    return in[pos];
  }

  private void expect(byte c) {
    if (peek() != c) {
      throw giveUp();
    }
    pos++;
  }

  private void literal(byte[] word) {
    if (end - pos < word.length) {
      throw giveUp();
    }
    for (int i = 0; i < word.length; i++) {
      if (in[pos + i] != word[i]) {
        throw giveUp();
      }
    }
    pos += word.length;
    afterScalar();
  }

  /** A scalar must be followed by a blank, a comma, a closing bracket or the end. */
  private void afterScalar() {
    if (pos < end) {
      byte c = in[pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != ',' && c != '}' && c != ']') {
        throw giveUp();
      }
    }
  }

  /** A number (JSON grammar); returns its end. */
  private int number() {
    int p = pos;
    if (p < end && in[p] == '-') {
      p++;
    }
    if (p >= end) {
      throw giveUp();
    }
    if (in[p] == '0') {
      p++;
    } else if (in[p] >= '1' && in[p] <= '9') {
      p = digits(p);
    } else {
      throw giveUp();
    }
    if (p < end && in[p] == '.') {
      int q = digits(p + 1);
      if (q == p + 1) {
        throw giveUp();
      }
      p = q;
    }
    if (p < end && (in[p] == 'e' || in[p] == 'E')) {
      p++;
      if (p < end && (in[p] == '+' || in[p] == '-')) {
        p++;
      }
      int q = digits(p);
      if (q == p) {
        throw giveUp();
      }
      p = q;
    }
    if (p - pos > MAX_NUMBER) {
      throw giveUp();
    }
    int from = pos;
    pos = p;
    afterScalar();
    return from;
  }

  private int digits(int p) {
    while (p < end && in[p] >= '0' && in[p] <= '9') {
      p++;
    }
    return p;
  }

  /**
   * Scans a string whose opening quote is at {@code pos}; leaves {@code pos} after the closing
   * quote. Returns true if it is plain: no escape and no character outside the BMP, so its bytes
   * are what the generator writes for it. Gives up on control characters, malformed UTF-8 and
   * invalid escapes.
   */
  private boolean string() {
    int p = pos + 1;
    boolean plain = true;
    while (true) {
      if (p >= end) {
        throw giveUp();
      }
      int c = in[p];
      if (c >= 0x20 && c != '"' && c != '\\') {
        p++;
        continue;
      }
      if (c == '"') {
        pos = p + 1;
        return plain;
      }
      if (c == '\\') {
        plain = false;
        p++;
        if (p >= end) {
          throw giveUp();
        }
        byte e = in[p++];
        if (e == 'u') {
          if (p + 4 > end) {
            throw giveUp();
          }
          for (int k = 0; k < 4; k++) {
            hex(in[p + k]);
          }
          p += 4;
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
          throw giveUp();
        }
        continue;
      }
      if (c >= 0) {
        throw giveUp(); // a control character
      }
      int n = utf8(p);
      if (n == 4) {
        plain = false;
      }
      p += n;
    }
  }

  /** The length of the well-formed UTF-8 sequence at p (2-4), else gives up. */
  private int utf8(int p) {
    int c = in[p] & 0xff;
    int more;
    int lo = 0x80;
    int hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      more = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c == 0xe0) {
        lo = 0xa0;
      } else if (c == 0xed) {
        hi = 0x9f;
      }
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c == 0xf0) {
        lo = 0x90;
      } else if (c == 0xf4) {
        hi = 0x8f;
      }
    } else {
      throw giveUp();
    }
    if (p + more >= end) {
      throw giveUp();
    }
    int c1 = in[p + 1] & 0xff;
    if (c1 < lo || c1 > hi) {
      throw giveUp();
    }
    for (int k = 2; k <= more; k++) {
      if ((in[p + k] & 0xc0) != 0x80) {
        throw giveUp();
      }
    }
    return more + 1;
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    throw giveUp();
  }

  /** The text of the string in {@code in[from, to)} (quotes included), escapes decoded. */
  private String text(int from, int to, boolean plain) {
    if (plain) {
      return new String(in, from + 1, to - from - 2, StandardCharsets.UTF_8);
    }
    StringBuilder b = new StringBuilder(to - from);
    int p = from + 1;
    int last = to - 1;
    int run = p;
    while (p < last) {
      if (in[p] != '\\') {
        p++;
        continue;
      }
      b.append(new String(in, run, p - run, StandardCharsets.UTF_8));
      byte e = in[p + 1];
      p += 2;
      switch (e) {
        case 'u':
          b.append((char) (hex(in[p]) << 12 | hex(in[p + 1]) << 8 | hex(in[p + 2]) << 4 | hex(in[p + 3])));
          p += 4;
          break;
        case 'b':
          b.append('\b');
          break;
        case 'f':
          b.append('\f');
          break;
        case 'n':
          b.append('\n');
          break;
        case 'r':
          b.append('\r');
          break;
        case 't':
          b.append('\t');
          break;
        default:
          b.append((char) e); // " \ /
      }
      run = p;
    }
    return b.append(new String(in, run, last - run, StandardCharsets.UTF_8)).toString();
  }

  /** A member name at {@code pos} (after blanks); sets nameFrom/nameTo; gives up on escaped or non-BMP names. */
  private void name() {
    if (peek() != '"') {
      throw giveUp();
    }
    int from = pos;
    if (!string() || pos - from - 2 > MAX_NAME) {
      throw giveUp();
    }
    nameFrom = from + 1;
    nameTo = pos - 1;
    expect((byte) ':');
  }

  private String nameText() {
    return new String(in, nameFrom, nameTo - nameFrom, StandardCharsets.UTF_8);
  }

  // ---- writing

  private void room(int n) {
    if (len + n > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, len + n));
    }
  }

  private void put(byte c) {
    room(1);
    out[len++] = c;
  }

  private void put(byte[] b, int from, int n) {
    room(n);
    System.arraycopy(b, from, out, len, n);
    len += n;
  }

  private void putName() {
    room(nameTo - nameFrom + 3);
    out[len++] = '"';
    System.arraycopy(in, nameFrom, out, len, nameTo - nameFrom);
    len += nameTo - nameFrom;
    out[len++] = '"';
    out[len++] = ':';
  }

  /** Writes a string as Jackson's UTF-8 generator does (see the class comment). */
  private void putString(String s) {
    room(s.length() * 6 + 2);
    out[len++] = '"';
    for (int i = 0; i < s.length(); i++) {
      putChar(s.charAt(i));
    }
    out[len++] = '"';
  }

  /**
   * {@link Masker#partial} over the bytes {@code in[from, to)} of a plain text (well-formed UTF-8,
   * characters of the BMP only, none the generator escapes): one character is one code point, and
   * it starts at every byte that is not a continuation byte.
   */
  private void putPartial(int from, int to, int keepFirst, int keepLast, char maskChar) {
    int n = 0;
    for (int p = from; p < to; p++) {
      if ((in[p] & 0xc0) != 0x80) {
        n++;
      }
    }
    int kept = Masker.kept(n, keepFirst, keepLast);
    int kf = Masker.keptFirst(kept, keepFirst, keepLast);
    int masked = n - kept;
    int head = skipChars(from, kf, to);
    int tail = skipChars(head, masked, to);
    room(head - from + masked * 6 + to - tail + 2);
    out[len++] = '"';
    System.arraycopy(in, from, out, len, head - from);
    len += head - from;
    for (int i = 0; i < masked; i++) {
      putChar(maskChar);
    }
    System.arraycopy(in, tail, out, len, to - tail);
    len += to - tail;
    out[len++] = '"';
  }

  /** The index after {@code count} characters of a plain text from {@code p} (that end before {@code to}). */
  private int skipChars(int p, int count, int to) {
    for (int k = 0; k < count; k++) {
      p++;
      while (p < to && (in[p] & 0xc0) == 0x80) {
        p++;
      }
    }
    return p;
  }

  private static final byte[] DISTRICT = "区".getBytes(StandardCharsets.UTF_8);
  private static final byte[] COUNTY = "县".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BANNER = "旗".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CITY = "市".getBytes(StandardCharsets.UTF_8);

  /**
   * {@link Masker#address} over the bytes {@code in[from, to)} of a plain text. The cut characters
   * are three bytes each in UTF-8; a match of their bytes in well-formed UTF-8 is a match of the
   * character (a lead byte never matches a continuation byte).
   */
  private void putAddress(int from, int to, char maskChar) {
    int cut = -1;
    for (int p = from; p + 3 <= to; p++) {
      if (at(p, DISTRICT) || at(p, COUNTY) || at(p, BANNER)) {
        cut = p + 3;
        break;
      }
    }
    if (cut < 0) {
      for (int p = to - 3; p >= from; p--) {
        if (at(p, CITY)) {
          cut = p + 3;
          break;
        }
      }
    }
    int keep = cut > from && cut < to ? cut - from : 0;
    room(keep + 4 * 6 + 2);
    out[len++] = '"';
    System.arraycopy(in, from, out, len, keep);
    len += keep;
    for (int i = 0; i < 4; i++) {
      putChar(maskChar);
    }
    out[len++] = '"';
  }

  private boolean at(int p, byte[] c) {
    return in[p] == c[0] && in[p + 1] == c[1] && in[p + 2] == c[2];
  }

  /** One character of a string as {@link #putString} writes it (room for six bytes is the caller's). */
  private void putChar(char c) {
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\') {
        out[len++] = (byte) c;
      } else {
        out[len++] = '\\';
        byte e = c == '"' || c == '\\' ? (byte) c : c == '\b' ? (byte) 'b' : c == '\t' ? (byte) 't'
            : c == '\n' ? (byte) 'n' : c == '\f' ? (byte) 'f' : c == '\r' ? (byte) 'r' : 0;
        if (e != 0) {
          out[len++] = e;
        } else {
          escape(c);
        }
      }
    } else if (c < 0x800) {
      out[len++] = (byte) (0xc0 | (c >> 6));
      out[len++] = (byte) (0x80 | (c & 0x3f));
    } else if (Character.isSurrogate(c)) {
      out[len++] = '\\';
      escape(c);
    } else {
      out[len++] = (byte) (0xe0 | (c >> 12));
      out[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
      out[len++] = (byte) (0x80 | (c & 0x3f));
    }
  }

  /** {@code uXXXX} (the backslash is written by the caller). */
  private void escape(char c) {
    out[len++] = 'u';
    out[len++] = HEX[(c >> 12) & 0xf];
    out[len++] = HEX[(c >> 8) & 0xf];
    out[len++] = HEX[(c >> 4) & 0xf];
    out[len++] = HEX[c & 0xf];
  }

  // ---- the masker's walk (Masker.top/record/object/value/unlisted/copy), over bytes

  private void top() {
    byte c = peek();
    if (c == '{') {
      record();
    } else if (c == '[') {
      open();
      put((byte) '[');
      boolean first = true;
      if (peek() == ']') {
        pos++;
      } else {
        while (true) {
          if (!first) {
            put((byte) ',');
          }
          first = false;
          byte e = peek();
          if (e == '{') {
            record();
          } else if (e == 'n') {
            literal(NULL);
            put(NULL, 0, 4);
          } else {
            throw giveUp();
          }
          if (comma(']')) {
            break;
          }
        }
      }
      put((byte) ']');
      depth--;
    } else if (c == 'n') {
      literal(NULL);
      put(NULL, 0, 4);
    } else {
      throw giveUp();
    }
  }

  /** After a member or element: true at the closing bracket (consumed), false after a comma. */
  private boolean comma(char close) {
    byte c = peek();
    pos++;
    if (c == ',') {
      return false;
    }
    if (c == close) {
      return true;
    }
    throw giveUp();
  }

  private void open() {
    if (++depth >= m.maxDepth()) {
      throw giveUp();
    }
    pos++;
  }

  private void record() {
    st.scopeSeen = 0;
    object(m.root());
    if (st.scopeSeen != m.scopeMask()) {
      throw giveUp();
    }
  }

  /** An object at an inner node; {@code pos} is at its '{'. */
  private void object(Masker.Node n) {
    open();
    put((byte) '{');
    SeenMembers seen = new SeenMembers();
    boolean first = true;
    if (peek() == '}') {
      pos++;
    } else {
      while (true) {
        name();
        Masker.Node c = child(n);
        if (c == null) {
          if (m.dropsUnlisted()) {
            skip();
          } else {
            String name = nameText();
            if (m.aliases().match(name) != null) {
              throw giveUp();
            }
            first = comma(first);
            putName();
            copy();
          }
        } else {
          if (seen.repeated(c, n.children.size())) {
            throw giveUp();
          }
          if (c.within != null) {
            within(c);
            st.scopeSeen |= c.scopeBit;
          }
          if (c.drops()) {
            skip();
          } else {
            first = comma(first);
            putName();
            value(c);
          }
        }
        if (comma('}')) {
          break;
        }
      }
    }
    put((byte) '}');
    depth--;
  }

  /** Writes the comma before a member or element unless it is the first; returns false. */
  private boolean comma(boolean first) {
    if (!first) {
      put((byte) ',');
    }
    return false;
  }

  /** The child of n named by the last member name read, or null. */
  private Masker.@Nullable Node child(Masker.Node n) {
    byte[][] names = n.childNames();
    int nl = nameTo - nameFrom;
    for (int k = 0; k < names.length; k++) {
      byte[] cn = names[k];
      if (cn.length == nl && Arrays.equals(cn, 0, nl, in, nameFrom, nameTo)) {
        return n.childNodes()[k];
      }
    }
    return null;
  }

  /** A scoping division leaf: a string or integer of 6, 9 or 12 digits starting with the prefix. */
  private void within(Masker.Node c) {
    byte t = peek();
    int from = pos;
    int to;
    if (t == '"') {
      if (!string()) {
        throw giveUp();
      }
      from++;
      to = pos - 1;
      pos = from - 1; // read again by the value
    } else if (t == '-' || (t >= '0' && t <= '9')) {
      number();
      to = pos;
      pos = from;
    } else {
      throw giveUp();
    }
    int n = to - from;
    String prefix = java.util.Objects.requireNonNull(c.within);
    if ((n != 6 && n != 9 && n != 12) || n < prefix.length()) {
      throw giveUp();
    }
    for (int i = 0; i < n; i++) {
      byte d = in[from + i];
      if (d < '0' || d > '9' || (i < prefix.length() && d != prefix.charAt(i))) {
        throw giveUp();
      }
    }
  }

  /** The value of a listed member or array element; {@code pos} is before its first token. */
  private void value(Masker.Node n) {
    byte t = peek();
    if (t == 'n') {
      literal(NULL);
      put(NULL, 0, 4);
      return;
    }
    if (n.leaf) {
      MaskSpec s = n.spec;
      if (s == null || s.function() == MaskFunction.NONE) {
        scalar(t);
        return;
      }
      int from = pos;
      int textFrom = from;
      int textTo;
      boolean plain = true;
      if (t == '"') {
        plain = string();
        textFrom++;
        textTo = pos - 1;
      } else if (t == 't') {
        literal(TRUE);
        textTo = pos;
      } else if (t == 'f') {
        literal(FALSE);
        textTo = pos;
      } else if (t == '-' || (t >= '0' && t <= '9')) {
        number();
        textTo = pos;
      } else {
        throw giveUp(); // an object or array at a leaf
      }
      if (plain && s.function() != MaskFunction.HASH) {
        // the text's bytes are its characters, each as the generator writes it: mask the bytes
        if (s.function() == MaskFunction.ADDRESS) {
          putAddress(textFrom, textTo, s.maskChar());
        } else {
          putPartial(textFrom, textTo, s.keepFirst(), s.keepLast(), s.maskChar());
        }
        return;
      }
      String text = t == '"' ? text(from, pos, plain) : new String(in, from, pos - from, StandardCharsets.ISO_8859_1);
      putString(m.maskText(s, text, st));
    } else if (t == '{' && !n.children.isEmpty()) {
      object(n);
    } else if (t == '[' && n.element != null) {
      Masker.Node e = n.element;
      open();
      put((byte) '[');
      boolean first = true;
      if (peek() == ']') {
        pos++;
      } else {
        while (true) {
          if (e.drops()) {
            skip();
          } else {
            first = comma(first);
            value(e);
          }
          if (comma(']')) {
            break;
          }
        }
      }
      put((byte) ']');
      depth--;
    } else {
      throw giveUp();
    }
  }

  /** Copies a string, number or literal at {@code pos} (after blanks) as the generator writes it. */
  private void scalar(byte t) {
    int from = pos;
    if (t == '"') {
      if (string()) {
        put(in, from, pos - from);
      } else {
        putString(text(from, pos, false));
      }
    } else if (t == 't') {
      literal(TRUE);
      put(TRUE, 0, 4);
    } else if (t == 'f') {
      literal(FALSE);
      put(FALSE, 0, 5);
    } else if (t == 'n') {
      literal(NULL);
      put(NULL, 0, 4);
    } else if (t == '-' || (t >= '0' && t <= '9')) {
      number();
      put(in, from, pos - from);
    } else {
      throw giveUp();
    }
  }

  /** Copies an unlisted value; member names inside it that alias a masked path give up. */
  private void copy() {
    byte t = peek();
    if (t != '{' && t != '[') {
      scalar(t);
      return;
    }
    open();
    put(t);
    byte close = t == '{' ? (byte) '}' : (byte) ']';
    boolean first = true;
    if (peek() == close) {
      pos++;
    } else {
      while (true) {
        first = comma(first);
        if (t == '{') {
          name();
          if (m.aliases().match(nameText()) != null) {
            throw giveUp();
          }
          putName();
        }
        copy();
        if (comma((char) close)) {
          break;
        }
      }
    }
    put(close);
    depth--;
  }

  /** Skips a value (checked like any other, nothing written). */
  private void skip() {
    byte t = peek();
    if (t != '{' && t != '[') {
      if (t == '"') {
        string();
      } else if (t == 't') {
        literal(TRUE);
      } else if (t == 'f') {
        literal(FALSE);
      } else if (t == 'n') {
        literal(NULL);
      } else if (t == '-' || (t >= '0' && t <= '9')) {
        number();
      } else {
        throw giveUp();
      }
      return;
    }
    open();
    byte close = t == '{' ? (byte) '}' : (byte) ']';
    if (peek() == close) {
      pos++;
    } else {
      while (true) {
        if (t == '{') {
          name();
        }
        skip();
        if (comma((char) close)) {
          break;
        }
      }
    }
    depth--;
  }
}
