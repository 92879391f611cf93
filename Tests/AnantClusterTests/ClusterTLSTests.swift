import AnantClient
import AnantColumnar
import AnantTestSupport
import AnantWire
import Foundation
import Testing

/// TLS (DESIGN.md §4): clients reach the gateway over TLS, the services reach each other
/// over mutual TLS, and a peer without the right certificate, or without TLS, is refused.
/// The certificates are made here with `openssl`.
@Suite(.serialized) struct ClusterTLSTests {
    /// A CA, a service certificate it signs (for 127.0.0.1 and localhost), and a rogue
    /// CA's certificate with the same names.
    struct Certificates {
        let folder: String
        var ca: String { "\(folder)/ca.crt" }
        var service: LocalCluster.TLSFiles { .init(certificate: "\(folder)/service.crt", key: "\(folder)/service.key", ca: ca) }
        var rogueCA: String { "\(folder)/rogue-ca.crt" }
        var rogue: (certificate: String, key: String) { ("\(folder)/rogue.crt", "\(folder)/rogue.key") }

        init(_ folder: String) throws {
            self.folder = folder
            try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: "\(folder)/san.ext", atomically: true, encoding: .utf8)
            for (ca, leaf) in [("ca", "service"), ("rogue-ca", "rogue")] {
                try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(ca)",
                                  "-keyout", "\(folder)/\(ca).key", "-out", "\(folder)/\(ca).crt"])
                try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=anant-\(leaf)",
                                  "-keyout", "\(folder)/\(leaf).key", "-out", "\(folder)/\(leaf).csr"])
                try Self.openssl(["x509", "-req", "-days", "2", "-in", "\(folder)/\(leaf).csr", "-CA", "\(folder)/\(ca).crt",
                                  "-CAkey", "\(folder)/\(ca).key", "-CAcreateserial", "-extfile", "\(folder)/san.ext", "-out", "\(folder)/\(leaf).crt"])
            }
        }

        static func openssl(_ arguments: [String]) throws {
            let outcome = try Oracle.capture("/usr/bin/openssl", arguments, timeout: 60)
            guard outcome.status == 0 else { throw LocalCluster.Failure(description: "openssl \(arguments[0]) failed: \(outcome.stderrText)") }
        }
    }

    static func code(_ body: () async throws -> Void) async -> Status? {
        do { try await body(); return nil } catch { return error as? Status }
    }

    @Test func aTLSClusterAnswersAsEmbeddedAndRefusesPeersWithoutTheRightCertificate() async throws {
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let certificates = try Certificates(folder)
        let cluster = try LocalCluster(compute: 2, storage: 1, replicas: 1, tls: certificates.service)
        defer { cluster.kill() }

        // Through the CLI (the CA comes from cluster.json): the embedded answer, byte for byte.
        let sample = TestData.sample("lesmis.hif.json").path
        #expect(try cluster.anant(["import", sample, "lesmis"]).status == 0)
        let arguments = ["centrality", "--measure", "betweenness", "--nodes", "--top", "5"]
        let remote = try cluster.anant([arguments[0], "lesmis"] + arguments.dropFirst())
        let local = try TestData.anant([arguments[0], sample] + arguments.dropFirst())
        #expect(remote.status == 0 && remote.stdout == local.stdout, "\(remote.stderrText)")

        // A client of the gateway without TLS, or trusting another CA, is refused at once
        // (not retried) and says why.
        let plaintext = try AnantClient(address: cluster.gateway, token: cluster.adminToken, retrySeconds: 5)
        let refused = await Self.code { _ = try await plaintext.datasets() }
        #expect(refused?.code == .unavailable && refused?.retryable == false && refused?.message.contains("TLS") == true, "\(String(describing: refused))")
        let stranger = try cluster.client(retrySeconds: 5, tlsCA: certificates.rogueCA)
        let untrusted = await Self.code { _ = try await stranger.datasets() }
        #expect(untrusted?.code == .unavailable && untrusted?.message.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(String(describing: untrusted))")
        let trusted = try cluster.client()
        #expect(try await trusted.datasets().map(\.name) == ["lesmis"])

        // The services' ports are mutual: the cluster token alone is not enough, nor a
        // certificate another CA signed; the cluster's certificate is.
        let storage = cluster.services("storage")[0].rpc
        func storageClient(certificate: String?, key: String?) throws -> RPCClient {
            var configuration = RPCClientConfiguration()
            configuration.token = cluster.clusterToken
            configuration.connectAttempts = 1
            configuration.tls = try WireTLS.client(ca: certificates.ca, certificate: certificate, key: key)
            return try RPCClient(address: storage, configuration: configuration)
        }
        for (certificate, key) in [(nil, nil), (certificates.rogue.certificate, certificates.rogue.key)] as [(String?, String?)] {
            let rpc = try storageClient(certificate: certificate, key: key)
            let status = await Self.code { _ = try await rpc.unary("anant.v1.Storage/Stat", [], timeout: 5) }
            #expect(status?.code == .unavailable, "storage took a client with certificate \(certificate ?? "none"): \(String(describing: status))")
            await rpc.close()
        }
        let member = try storageClient(certificate: certificates.service.certificate, key: certificates.service.key)
        #expect(await Self.code { _ = try await member.unary("anant.v1.Storage/Stat", [], timeout: 5) } == nil)
        await member.close()

        for client in [plaintext, stranger, trusted] { await client.close() }
        try cluster.down()
    }

    @Test func everyServiceChecksItsConfigurationAndExits() throws {
        let folder = try TestData.temporaryFolder().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let certificates = try Certificates(folder)
        try "admin \(String(repeating: "a", count: 64))\n".write(toFile: "\(folder)/tokens", atomically: true, encoding: .utf8)
        let bin = URL(fileURLWithPath: TestData.anantBinary).deletingLastPathComponent().path
        let tls = ["--tls-cert", certificates.service.certificate, "--tls-key", certificates.service.key, "--tls-ca", certificates.ca]
        let valid: [(String, [String])] = [
            ("metadata", ["--db", "\(folder)/m/metadata.db"]), ("storage", ["--root", "\(folder)/s"]),
            ("compute", ["--metadata", "127.0.0.1:1", "--cache-dir", "\(folder)/c"]),
            ("gateway", ["--metadata", "127.0.0.1:1", "--tokens", "\(folder)/tokens", "--scratch", "\(folder)/g"]),
        ]
        for (service, arguments) in valid {
            let outcome = try Oracle.capture("\(bin)/anant-\(service)", arguments + tls + ["--listen", "0.0.0.0:7000", "--check-config"], timeout: 30)
            #expect(outcome.status == 0, "\(service): \(outcome.stderrText)")
            guard case .object(let line)? = try? JSONParser.parse(Array(outcome.stdout)) else {
                Issue.record("\(service) printed no JSON line: \(outcome.stdoutText)")
                continue
            }
            #expect(line["service"]?.stringValue == service && line["config"]?.stringValue == "valid" && line["rpc"]?.stringValue == "0.0.0.0:7000")
            #expect(line["tls"] == .bool(true) && line["mutual_tls"] == .bool(true))
        }
        // Each invalid configuration fails with a message naming what is wrong, and starts nothing.
        let invalid: [(String, [String], String)] = [
            ("storage", ["--root", "/proc/anant-cannot-be-here"], "--root"),
            ("storage", ["--root", "\(folder)/s", "--tls-cert", certificates.service.key, "--tls-key", certificates.service.key], "no readable PEM certificate"),
            ("storage", ["--root", "\(folder)/s", "--tls-cert", certificates.service.certificate], "--tls-cert and --tls-key go together"),
            ("metadata", ["--db", "\(folder)/m.db", "--log-level", "loud"], "--log-level"),
            ("gateway", ["--metadata", "127.0.0.1:1", "--tokens", "\(folder)/missing-tokens"], "missing-tokens"),
            ("compute", ["--metadata", "nowhere", "--cache-dir", "\(folder)/c"], "--metadata"),
        ]
        for (service, arguments, expected) in invalid {
            let outcome = try Oracle.capture("\(bin)/anant-\(service)", arguments + ["--check-config"], timeout: 30)
            #expect(outcome.status != 0 && outcome.stderrText.contains(expected), "\(service) \(arguments): \(outcome.status) \(outcome.stderrText)")
        }
    }
}
