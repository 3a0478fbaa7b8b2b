// Plugin versions for every module, applied where needed. AGP 8.7 wants Gradle 8.9 or
// newer (gradle/wrapper/gradle-wrapper.properties pins 8.11.1) and JDK 17.
plugins {
    id("com.android.application") version "8.7.3" apply false
    id("org.jetbrains.kotlin.android") version "2.1.0" apply false
    id("org.jetbrains.kotlin.jvm") version "2.1.0" apply false
    id("org.jetbrains.kotlin.plugin.compose") version "2.1.0" apply false
}
