package io.shulian.core.arch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public surface of sdk-core as text: every public or protected type, constructor, method and
 * field of the packages the module exports, one signature per line, sorted. Read from the
 * compiled classes ({@code target/classes}) and the module descriptor compiled with them.
 */
final class ApiSurface {
  static final Path CLASSES = Path.of("target", "classes");

  private ApiSurface() {}

  /** The module descriptor of sdk-core as compiled. */
  static ModuleDescriptor descriptor() {
    return ModuleFinder.of(CLASSES).find("io.shulian.core")
        .orElseThrow(() -> new AssertionError("no module io.shulian.core in " + CLASSES.toAbsolutePath()))
        .descriptor();
  }

  /** The packages the module exports to everyone. */
  static Set<String> exportedPackages() {
    return descriptor().exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Every public type (top-level or nested in a public type) of the exported packages. */
  static List<Class<?>> publicTypes() {
    Set<String> exported = exportedPackages();
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CLASSES)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class")).sorted()::iterator) {
        String rel = CLASSES.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
        String name = rel.substring(0, rel.length() - ".class".length());
        if (name.endsWith("module-info") || name.endsWith("package-info")) {
          continue;
        }
        int dot = name.lastIndexOf('.');
        if (!exported.contains(name.substring(0, dot))) {
          continue;
        }
        Class<?> c = Class.forName(name, false, ApiSurface.class.getClassLoader());
        if (visible(c)) {
          out.add(c);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /** Whether code outside the module can name {@code c}: public, and so is every enclosing type. */
  private static boolean visible(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  /** Whether a subclass or caller outside the package can use {@code m}. */
  static boolean exposed(Member m, Class<?> owner) {
    int mod = m.getModifiers();
    if (m.isSynthetic() || Modifier.isPrivate(mod)) {
      return false;
    }
    if (Modifier.isPublic(mod)) {
      return true;
    }
    // protected members are reachable only from subclasses: only when a subclass can exist outside
    return Modifier.isProtected(mod) && !Modifier.isFinal(owner.getModifiers()) && !owner.isEnum()
        && !owner.isRecord() && hasExposedConstructor(owner);
  }

  private static boolean hasExposedConstructor(Class<?> c) {
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (Modifier.isPublic(k.getModifiers()) || Modifier.isProtected(k.getModifiers())) {
        return true;
      }
    }
    return c.isInterface();
  }

  /** The API listing: one line per public type and member, sorted. */
  static List<String> listing() {
    TreeSet<String> lines = new TreeSet<>();
    for (Class<?> c : publicTypes()) {
      String t = c.getName();
      lines.add(t + " : " + typeLine(c));
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (exposed(k, c) && !(c.isEnum())) {
          lines.add(t + " # " + k.toGenericString());
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (exposed(m, c) && !m.isBridge()) {
          lines.add(t + " # " + m.toGenericString());
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (exposed(f, c)) {
          lines.add(t + " # " + f.toGenericString());
        }
      }
    }
    return new ArrayList<>(lines);
  }

  private static String typeLine(Class<?> c) {
    StringBuilder b = new StringBuilder(Modifier.toString(c.getModifiers() & ~Modifier.STATIC));
    b.append(c.isInterface() ? (c.isAnnotation() ? " @interface" : "") : c.isEnum() ? " enum" : c.isRecord() ? " record" : " class");
    if (c.getGenericSuperclass() != null && c.getSuperclass() != Object.class && !c.isEnum() && !c.isRecord()) {
      b.append(" extends ").append(c.getGenericSuperclass().getTypeName());
    }
    if (c.getGenericInterfaces().length > 0) {
      b.append(c.isInterface() ? " extends " : " implements ").append(Stream.of(c.getGenericInterfaces())
          .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", ")));
    }
    if (c.isSealed()) {
      b.append(" permits ").append(Stream.of(c.getPermittedSubclasses()).map(Class::getName).sorted()
          .collect(Collectors.joining(", ")));
    }
    if (c.isRecord()) {
      b.append(" (").append(Stream.of(c.getRecordComponents()).map(r -> r.getGenericType().getTypeName() + " " + r.getName())
          .collect(Collectors.joining(", "))).append(')');
    }
    return b.toString().trim();
  }

  /** Every type name an exposed signature mentions: supertypes, parameters, results, exceptions, fields. */
  static List<String> mentions(Class<?> c) {
    List<String> out = new ArrayList<>();
    if (c.getGenericSuperclass() != null) {
      out.add(c.getName() + " extends " + c.getGenericSuperclass().getTypeName());
    }
    for (java.lang.reflect.Type t : c.getGenericInterfaces()) {
      out.add(c.getName() + " implements " + t.getTypeName());
    }
    if (c.isRecord()) {
      for (RecordComponent r : c.getRecordComponents()) {
        out.add(c.getName() + " component " + r.getGenericType().getTypeName());
      }
    }
    List<Executable> execs = new ArrayList<>(List.of(c.getDeclaredMethods()));
    execs.addAll(List.of(c.getDeclaredConstructors()));
    for (Executable e : execs) {
      if (exposed(e, c)) {
        out.add(e.toGenericString());
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (exposed(f, c)) {
        out.add(f.toGenericString());
      }
    }
    return out;
  }
}
