package dev.trcr.kernel;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The rooms talk through the event bus only: no verticle uses another's classes, and the kernel uses none of them. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.trcr");
  }

  private static String packageOf(String verticle) {
    return "dev.trcr." + verticle + "..";
  }

  @Test
  void everyVerticleHasItsOwnPackage() {
    for (String verticle : Node.VERTICLES.keySet()) {
      assertFalse(classes.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage(packageOf(verticle))).isEmpty(),
          "no classes in " + packageOf(verticle));
    }
  }

  @Test
  void noVerticleImportsAnotherVerticlesClasses() {
    List<String> verticles = new ArrayList<>(Node.VERTICLES.keySet());
    for (String from : verticles) {
      for (String to : verticles) {
        if (!from.equals(to)) {
          noClasses().that().resideInAPackage(packageOf(from))
              .should().dependOnClassesThat().resideInAPackage(packageOf(to))
              .because("verticles talk only through the event bus")
              .check(classes);
        }
      }
    }
  }

  @Test
  void theKernelDependsOnNoVerticle() {
    for (String verticle : Node.VERTICLES.keySet()) {
      noClasses().that().resideInAPackage("dev.trcr.kernel..")
          .should().dependOnClassesThat().resideInAPackage(packageOf(verticle))
          .because("the launcher deploys verticles by name; the kernel is shared by all of them")
          .check(classes);
    }
  }
}
