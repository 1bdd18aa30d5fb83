package org.bulwark.testimage;

/** Stands in for the real classes of the artifact whose pom.properties shares its jar. */
public final class Placeholder {
    private Placeholder() {}

    /** Prints the artifact coordinates baked in at build time. */
    public static void main(String[] args) {
        System.out.println("placeholder class of a test artifact");
    }
}
