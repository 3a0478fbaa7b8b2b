// swift-tools-version: 5.9
// SeatlineKit: the iOS app's models, reducers and texts, over the generated Swift bindings
// (docs/adr/0006-mobile-shells.md). Three targets:
//   SeatlineCoreFFI  the Rust core as an XCFramework (device, simulator and macOS slices);
//                    built by ios/build-xcframework.sh on a Mac, not in the repository
//   SeatlineCore     the UniFFI-generated SeatlineCore.swift, copied in by that script
//   SeatlineKit      our code: ObservableObject models over the AgentCore protocol
// The macOS slice is there so `swift test` runs the model tests on the Mac itself.
import PackageDescription

let package = Package(
    name: "SeatlineKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "SeatlineKit", targets: ["SeatlineKit"]),
        // The app uses the generated types (Seatline, DialPad) directly too.
        .library(name: "SeatlineCore", targets: ["SeatlineCore"]),
    ],
    targets: [
        .binaryTarget(
            name: "SeatlineCoreFFI",
            path: "Frameworks/SeatlineCoreFFI.xcframework"
        ),
        .target(
            name: "SeatlineCore",
            dependencies: ["SeatlineCoreFFI"],
            path: "Sources/SeatlineCore",
            exclude: ["README.md"],
            // A static Rust library brings no link directives of its own: name the system
            // pieces its crates call (getrandom: Security's SecRandomCopyBytes on iOS).
            linkerSettings: [.linkedFramework("Security")]
        ),
        .target(
            name: "SeatlineKit",
            dependencies: ["SeatlineCore"]
        ),
        .testTarget(
            name: "SeatlineKitTests",
            dependencies: ["SeatlineKit"]
        ),
    ]
)
