// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

// MARK: - PendingTransfer

extension CurlClient {
    /// A transfer started with ``CurlClient/submit(_:completion:)`` or ``CurlClient/stream(_:consumer:)``, to cancel
    /// it or to resume its paused body. Safe to use from any thread.
    public struct PendingTransfer: Sendable {
        let driver: CurlMultiDriver?
        let transfer: CurlTransfer?

        /// Removes the transfer (closing its connection if it was mid-way, paused or not); its completion gets
        /// ``CurlError/Kind/cancelled`` unless it has finished already, and a stream's consumer gets no part after
        /// this returns. Safe from any thread, more than once.
        public func cancel() {
            guard let driver, let transfer else { return }
            driver.cancel(transfer)
        }

        /// Lets a stream's body flow again after its consumer answered a part with ``UpstreamBodyDemand/pause``:
        /// the driver thread unpauses the transfer (`curl_easy_pause(CURLPAUSE_CONT)`) on its next turn, and the
        /// next part follows. Does nothing when the body is not paused, the transfer has ended, or it is not a
        /// stream. Safe from any thread.
        public func resume() {
            guard let driver, let transfer else { return }
            driver.resume(transfer)
        }

        /// The most body bytes the client held for this stream while it was paused (libcurl's count of bytes
        /// received less the bytes delivered); 0 for a transfer that is not a stream or never paused.
        var peakHeldBytes: Int {
            transfer?.stream?.peakHeldBytes.load(ordering: .relaxed) ?? 0
        }
    }
}
