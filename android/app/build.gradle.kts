// The Android app: Compose screens over :shared-ui's models, plus the few pieces that need
// Android (audio devices, the system dialer). The native core comes from cargo-ndk:
//   cargo ndk --platform 26 -t arm64-v8a -t x86_64 -o android/app/src/main/jniLibs \
//     build --release -p seatline-ffi
// which fills src/main/jniLibs/<abi>/libseatline_ffi.so, where Gradle packs it from.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

val platformUrl = providers.gradleProperty("seatline.platformUrl").get()

android {
    namespace = "io.seatline.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "io.seatline.app"
        // The level cargo-ndk builds the core against (ANDROID_MIN_API in android.yml).
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        testInstrumentationRunner = "androidx.test.runner.AndroidJUnitRunner"
        buildConfigField("String", "PLATFORM_URL", "\"$platformUrl\"")
        ndk {
            // The ABIs the workflow builds; an emulator or phone of another ABI would
            // install the app and then fail to load the core.
            abiFilters += listOf("arm64-v8a", "x86_64")
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    jvmToolchain(17)
}

dependencies {
    implementation(project(":shared-ui"))
    // UniFFI's Kotlin calls the core through JNA; the aar carries libjnidispatch.so for
    // each Android ABI (the plain jar has desktop natives only).
    implementation("net.java.dev.jna:jna:5.15.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.8.1")

    implementation("androidx.core:core-ktx:1.15.0")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-viewmodel-compose:2.8.7")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")

    val compose = platform("androidx.compose:compose-bom:2024.12.01")
    implementation(compose)
    implementation("androidx.compose.ui:ui")
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.material:material-icons-core")
    implementation("androidx.compose.ui:ui-tooling-preview")
    debugImplementation("androidx.compose.ui:ui-tooling")

    androidTestImplementation("androidx.test.ext:junit:1.2.1")
    androidTestImplementation("androidx.test:runner:1.6.2")
}
