package io.shulian.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * shulian-bom has no parent (so importing it brings no third-party versions); this keeps it in
 * step with the reactor: same version, and every library module listed.
 */
class BomTest {
  static final Path ROOT = Path.of("..");

  static Document read(Path pom) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(pom.toFile());
  }

  static String child(Element e, String name) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && n.getNodeName().equals(name)) {
        return n.getTextContent().trim();
      }
    }
    return "";
  }

  @Test
  void bom_listsEveryLibraryModule_atTheReactorVersion_withoutParent() throws Exception {
    Document root = read(ROOT.resolve("pom.xml"));
    Document bom = read(ROOT.resolve("shulian-bom/pom.xml"));
    String version = child(root.getDocumentElement(), "version");

    List<String> libraries = new ArrayList<>();
    NodeList modules = root.getElementsByTagName("module");
    for (int i = 0; i < modules.getLength(); i++) {
      String dir = modules.item(i).getTextContent().trim();
      Element m = read(ROOT.resolve(dir).resolve("pom.xml")).getDocumentElement();
      String artifact = child(m, "artifactId");
      boolean library = artifact.startsWith("sdk-") && !artifact.startsWith("sdk-examples");
      if (library) {
        libraries.add(artifact);
      }
    }
    List<String> listed = new ArrayList<>();
    NodeList deps = bom.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      assertThat(child(d, "groupId")).isEqualTo("io.shulian");
      assertThat(child(d, "version")).isEqualTo("${project.version}");
      listed.add(child(d, "artifactId"));
    }

    assertThat(libraries).contains("sdk-core", "sdk-gateway", "sdk-spring-boot-starter");
    assertThat(listed).containsExactlyInAnyOrderElementsOf(libraries);
    assertThat(child(bom.getDocumentElement(), "version")).isEqualTo(version);
    assertThat(bom.getDocumentElement().getElementsByTagName("parent").getLength()).isZero();
  }
}
