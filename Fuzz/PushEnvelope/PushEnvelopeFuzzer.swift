// This file is part of wxsidecar.
// SPDX-License-Identifier: Apache-2.0

// The `push_envelope` fuzzer's entry point. scripts/fuzz.sh builds it with `-sanitize=fuzzer,address -DFUZZING`
// (SwiftPM, scratch path .build-fuzz/spm) and it hands its command line to libFuzzer. The ordinary build has it
// too: there it replays the files (or the files in the folders) named on its command line through the same
// checks, so an input reproduces without the sanitizers: `swift run PushEnvelopeFuzzer FILE…`.

#if FUZZING
import CLibFuzzer
#endif
import Foundation

@main
enum PushEnvelopeFuzzer {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        // A closure, not the @_cdecl function itself: naming it here would emit its C symbol a second time.
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzPushEnvelope(data, size) })
        #else
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty else {
            print("usage: PushEnvelopeFuzzer FILE_OR_FOLDER… (replays each input through the push_envelope checks)")
            exit(2)
        }
        var count = 0
        for path in paths {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("PushEnvelopeFuzzer: cannot read \(file)")
                    exit(2)
                }
                _ = data.withUnsafeBytes { raw in
                    fuzzPushEnvelope(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
                }
                count += 1
            }
        }
        print("PushEnvelopeFuzzer: \(count) input(s), no property violated")
        #endif
    }

    /// `path` itself, or the regular files in it (sorted) when it is a folder.
    private static func files(at path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
            let names = try? FileManager.default.contentsOfDirectory(atPath: path)
        else { return [path] }
        return names.sorted().map { "\(path)/\($0)" }
    }
}
