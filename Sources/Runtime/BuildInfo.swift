/// Which build of junction is running, for `junction --version` and the
/// `junction_build_info` metric.
///
/// Why: in a cluster mid-rollout two versions run at once; a dashboard that
/// groups by these labels shows which pods run which build, and the
/// manifests' version label is checked against `version` in CI.
public enum BuildInfo {
    /// The release; k8s/base/kustomization.yaml's image tag names the same.
    public static let version = "0.1.0"

    /// The compiler's language version, major.minor.
    public static var swiftVersion: String {
        #if compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    /// The CPU the binary was built for.
    public static var architecture: String {
        #if arch(x86_64)
        "x86_64"
        #elseif arch(arm64)
        "aarch64"
        #elseif arch(arm)
        "arm"
        #else
        "other"
        #endif
    }

    /// One line: `junction 0.1.0 (Swift 6.3, x86_64)`.
    public static var line: String { "junction \(version) (Swift \(swiftVersion), \(architecture))" }
}

extension PrometheusText {
    /// A body that starts with `junction_build_info{...} 1`, the usual
    /// Prometheus idiom for exposing build labels.
    public static func withBuildInfo(role: String) -> PrometheusText {
        var metrics = PrometheusText()
        metrics.gauge("junction_build_info", help: "Always 1; the labels say which build of junction this process runs.", value: 1,
                      labels: ["version": BuildInfo.version, "swift": BuildInfo.swiftVersion, "arch": BuildInfo.architecture, "role": role])
        return metrics
    }
}
