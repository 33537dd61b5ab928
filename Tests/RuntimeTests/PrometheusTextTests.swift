import Testing
@testable import Runtime

@Test func samplesAreGroupedUnderOneHeaderInFirstSeenOrder() {
    var metrics = PrometheusText()
    metrics.gauge("junction_sync_state", help: "Sync state of the head.", value: 2, labels: ["head": "north"])
    metrics.counter("junction_ticks_total", help: "Ticks received.", value: 42)
    metrics.gauge("junction_sync_state", help: "ignored", value: 1, labels: ["head": "south"])
    #expect(metrics.text == """
        # HELP junction_sync_state Sync state of the head.
        # TYPE junction_sync_state gauge
        junction_sync_state{head="north"} 2
        junction_sync_state{head="south"} 1
        # HELP junction_ticks_total Ticks received.
        # TYPE junction_ticks_total counter
        junction_ticks_total 42

        """)
}

@Test func labelValuesAndHelpAreEscaped() {
    var metrics = PrometheusText()
    metrics.gauge("x", help: "line one\nback\\slash \"quoted\"", value: 0.25, labels: ["a": "q\"b\\s\nn", "b": "ok"])
    #expect(metrics.text == """
        # HELP x line one\\nback\\\\slash "quoted"
        # TYPE x gauge
        x{a="q\\"b\\\\s\\nn",b="ok"} 0.25

        """)
}

@Test func specialValuesUseThePrometheusSpelling() {
    #expect(PrometheusText.format(.nan) == "NaN")
    #expect(PrometheusText.format(.infinity) == "+Inf")
    #expect(PrometheusText.format(-.infinity) == "-Inf")
    #expect(PrometheusText.format(-3) == "-3")
    #expect(PrometheusText.format(1e-6) == "1e-06")
    #expect(PrometheusText.format(1e300) == "1e+300")
}

@Test func nameRules() {
    #expect(PrometheusText.isValidName("junction:rate_5m", allowColon: true))
    #expect(!PrometheusText.isValidName("junction:rate", allowColon: false))
    #expect(!PrometheusText.isValidName("9lives", allowColon: true))
    #expect(!PrometheusText.isValidName("a-b", allowColon: true))
    #expect(!PrometheusText.isValidName("", allowColon: true))
}

@Test func emptyBuilderIsEmptyText() {
    #expect(PrometheusText().text.isEmpty)
}
