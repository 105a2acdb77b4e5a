// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar

extension SidecarHarness {
    /// The sum of the samples named as in `series` that carry every label it gives (e.g.
    /// `wxsidecar_token_recoveries_total{result="shared"}` counts every account's; add `appid="…"` for one) in the
    /// daemon's Prometheus text; 0 when absent.
    public func metric(_ series: String) -> Double {
        MetricText.value(of: series, in: String(decoding: app.metrics.render(), as: UTF8.self))
    }
}

/// Reading samples out of Prometheus exposition text.
public enum MetricText {
    /// The sum of the samples that match `series`: the same name, and at least its labels.
    public static func value(of series: String, in text: String) -> Double {
        let (name, wanted) = split(series)
        var total = 0.0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let (lineName, labels) = split(String(line[..<space]))
            guard lineName == name, wanted.isSubset(of: labels) else { continue }
            total += Double(line[line.index(after: space)...]) ?? 0
        }
        return total
    }

    /// `name{a="1",b="2"}` → the name and its `a="1"` parts.
    private static func split(_ series: String) -> (String, Set<String>) {
        guard let brace = series.firstIndex(of: "{"), series.hasSuffix("}") else { return (series, []) }
        let inner = series[series.index(after: brace)..<series.index(before: series.endIndex)]
        return (String(series[..<brace]), Set(inner.split(separator: ",").map(String.init)))
    }
}
