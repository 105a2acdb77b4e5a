// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

/// The faults in force, in the order they were added.
struct FaultTable: Sendable {
    /// The faults with uses left.
    private(set) var faults: [EmulatorFault] = []

    /// Adds a fault after the existing ones; a fault with a count of 0 or less is ignored.
    mutating func add(_ fault: EmulatorFault) {
        if let count = fault.count, count <= 0 { return }
        faults.append(fault)
    }

    /// Removes every fault.
    mutating func clear() {
        faults.removeAll()
    }

    /// The first fault matching `path`, using one of its uses (and dropping it when none are left).
    mutating func take(for path: String) -> EmulatorFault? {
        guard let index = faults.firstIndex(where: { $0.matches(path) }) else { return nil }
        let fault = faults[index]
        if let count = fault.count {
            if count <= 1 {
                faults.remove(at: index)
            } else {
                faults[index].count = count - 1
            }
        }
        return fault
    }
}
