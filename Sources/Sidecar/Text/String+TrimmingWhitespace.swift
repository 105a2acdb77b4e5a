// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

extension String {
    /// The string without leading and trailing whitespace (Unicode `isWhitespace`), with no Foundation.
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
