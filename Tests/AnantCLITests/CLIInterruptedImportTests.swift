import AnantColumnar
import AnantTestSupport
import Foundation
import Testing

/// `anant import` killed with SIGKILL at random points leaves the dataset consistent, and
/// what it leaves behind (a staging folder, temporary files) is reported by `versions
/// --verify` and removed by the next import.
@Suite struct CLIInterruptedImportTests {
    @Test(.timeLimit(.minutes(10))) func killedImportsLeaveNothingBehindForLong() throws {
        let folder = try TestData.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.parquet").path, ds = folder.appendingPathComponent("ds").path
        #expect(try TestData.anant(["generate", "--model", "erdos-renyi", "--nodes", "20000", "--edges", "30000", "--p", "0.0002",
                                    "--seed", "3", "--out", input]).status == 0)
        // How long an import takes here, to spread the kills over it.
        let started = Date()
        #expect(try TestData.anant(["import", input, ds, "--shards", "6", "--codec", "zstd"]).status == 0)
        let span = max(0.2, Date().timeIntervalSince(started))
        var rng = SeededGenerator(seed: 11)
        var leftoversSeen = false
        for round in 0..<8 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestData.anantBinary)
            process.arguments = ["import", input, ds, "--shards", "6", "--codec", "zstd"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The fault: SIGKILL at a random point of the import (not a wait for anything).
            usleep(useconds_t(Double.random(in: 0.05...1.0, using: &rng) * span * 1e6))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // The dataset stays consistent: every shard of the current version checks, and
            // the last version reads.
            let verify = try TestData.anant(["versions", ds, "--verify"])
            #expect(verify.status == 0, "round \(round): \(verify.stderrText)")
            #expect(try TestData.anant(["info", ds, "--format", "json"]).status == 0, "round \(round)")
            let staging = try FileManager.default.contentsOfDirectory(atPath: ds).filter { $0.hasPrefix(".staging-") }
            if !staging.isEmpty {
                leftoversSeen = true
                #expect(verify.stderrText.contains("interrupted"), "round \(round): leftovers not reported: \(verify.stderrText)")
            }
        }
        #expect(leftoversSeen, "no kill landed while shards were being written; the test did not test")
        // The next writer removes every leftover.
        #expect(try TestData.anant(["import", input, ds, "--shards", "6"]).status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: ds) + FileManager.default.contentsOfDirectory(atPath: ds + "/_versions")
        #expect(names.filter { $0.hasPrefix(".staging-") || $0.contains(".tmp-") }.isEmpty, "left: \(names)")
        let verify = try TestData.anant(["versions", ds, "--verify"])
        #expect(verify.status == 0 && !verify.stderrText.contains("interrupted"))
    }
}
