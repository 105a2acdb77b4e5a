// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Sidecar

extension SidecarHarness {
    /// The value of the sample whose name and labels are exactly `series` (e.g.
    /// `wxsidecar_token_recoveries_total{result="shared"}`) in the daemon's Prometheus text; 0 when absent.
    public func metric(_ series: String) -> Double {
        let text = String(decoding: app.metrics.render(), as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? 0
        }
        return 0
    }
}
