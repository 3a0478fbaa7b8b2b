// Seatline Android: a thin shell over the Rust core (docs/adr/0006-mobile-shells.md).
//   :ffi        the UniFFI-generated Kotlin (bindings/out/kotlin), compiled as is
//   :shared-ui  plain-Kotlin models, reducers and texts; also tested on the JVM without Gradle
//   :app        Compose screens and the Android pieces (audio devices, system dialer)
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "seatline"
include(":ffi", ":shared-ui", ":app")
