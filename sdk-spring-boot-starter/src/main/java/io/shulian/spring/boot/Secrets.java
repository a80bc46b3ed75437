package io.shulian.spring.boot;

import io.shulian.core.io.BoundedRead;
import io.shulian.spring.boot.ShulianConfigurationException.Problem;
import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads a secret from a file or an environment variable, never from a property value: the
 * property only names where it is. Errors name the variable or file, never the secret.
 */
final class Secrets {
  /** A secret file is a password or a key, never more. */
  static final int MAX_SECRET_FILE_BYTES = 4096;

  private Secrets() {}

  /**
   * Returns the secret: the first line of {@code file} when set, else the value of the environment
   * variable {@code envName}.
   *
   * @param what what the secret is, for messages ("the keystore password")
   * @param envSetting the property naming the variable, e.g. shulian.identity.password-env
   * @param fileSetting the property naming the file
   * @throws ShulianConfigurationException MISSING_SECRET if neither gives a non-empty secret
   */
  static char[] read(String what, String envSetting, String envName, String fileSetting, @Nullable Path file,
      Function<String, @Nullable String> env) {
    if (file != null) {
      byte[] bytes;
      try {
        bytes = BoundedRead.file(file, MAX_SECRET_FILE_BYTES);
      } catch (IOException e) {
        throw new ShulianConfigurationException(Problem.MISSING_SECRET, fileSetting,
            "cannot read " + what + " from " + file + " (" + e.getClass().getSimpleName() + ")", null);
      }
      try {
        char[] all = decode(bytes);
        int end = 0;
        while (end < all.length && all[end] != '\n' && all[end] != '\r') {
          end++;
        }
        char[] line = Arrays.copyOf(all, end);
        Arrays.fill(all, '\0');
        if (line.length == 0) {
          throw new ShulianConfigurationException(Problem.MISSING_SECRET, fileSetting,
              file + ": the first line, which must hold " + what + ", is empty", null);
        }
        return line;
      } catch (CharacterCodingException e) {
        throw new ShulianConfigurationException(Problem.MISSING_SECRET, fileSetting,
            file + " is not UTF-8 text", null);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
    if (envName.isBlank()) {
      throw new ShulianConfigurationException(Problem.MISSING_SECRET, envSetting,
          "names no environment variable for " + what + "; set it or " + fileSetting, null);
    }
    String value = env.apply(envName);
    if (value == null || value.isEmpty()) {
      throw new ShulianConfigurationException(Problem.MISSING_SECRET, envSetting,
          "environment variable " + envName + " with " + what + " is not set; set it, or name a file in "
              + fileSetting, null);
    }
    return value.toCharArray();
  }

  private static char[] decode(byte[] bytes) throws CharacterCodingException {
    CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(java.nio.ByteBuffer.wrap(bytes));
    char[] out = new char[cb.remaining()];
    cb.get(out);
    return out;
  }
}
