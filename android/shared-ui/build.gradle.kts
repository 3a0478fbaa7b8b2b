// Models, reducers and texts of the app in plain Kotlin: no android.* here, so they
// compile and test on any JVM (run-jvm-tests.sh does it without Gradle).
plugins {
    id("org.jetbrains.kotlin.jvm")
    `java-library`
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    api(project(":ffi"))
    testImplementation(platform("org.junit:junit-bom:5.11.3"))
    testImplementation("org.junit.jupiter:junit-jupiter")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher")
    // The binding types load JNA classes on first use.
    testRuntimeOnly("net.java.dev.jna:jna:5.15.0")
}

tasks.test {
    useJUnitPlatform()
}
