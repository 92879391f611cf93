import AnantColumnar
import NIOCore
import NIOSSL

/// TLS on the wire (DESIGN.md §4), from PEM files. A service serves with its certificate
/// and, given a CA, accepts only clients presenting a certificate that CA signed: mutual
/// TLS between services. A client trusts the CA (or the system's roots) and presents its
/// own certificate when it has one. TLS 1.2 at least; a plaintext peer fails the handshake
/// and is disconnected.
public enum WireTLS {
    /// A server's context: `certificate` (a PEM chain, leaf first) and its `key`; with
    /// `clientCA`, clients must present a certificate it signed (no host name check: a
    /// client is not a host).
    public static func server(certificate: String, key: String, clientCA: String?) throws(Status) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try chain(certificate).map { .certificate($0) }, privateKey: .privateKey(try privateKey(key)))
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA {
            configuration.trustRoots = .certificates(try chain(clientCA))
            configuration.certificateVerification = .noHostnameVerification
        }
        return try context(configuration)
    }

    /// A client's context: it verifies the server's certificate against `ca` (the
    /// system's roots without one) and, with `verifyHostname`, that it names the host (or
    /// address) dialled; it presents `certificate` and `key` when given (both or neither).
    /// Services calling each other pass `verifyHostname: false`: their CA is the cluster's
    /// own and signs only its services, and workers are dialled by addresses (a pod's IP)
    /// no shared certificate could name.
    public static func client(ca: String?, certificate: String? = nil, key: String? = nil,
                              verifyHostname: Bool = true) throws(Status) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = verifyHostname ? .fullVerification : .noHostnameVerification
        if let ca { configuration.trustRoots = .certificates(try chain(ca)) }
        switch (certificate, key) {
        case let (certificate?, key?):
            configuration.certificateChain = try chain(certificate).map { .certificate($0) }
            configuration.privateKey = .privateKey(try privateKey(key))
        case (nil, nil): break
        default: throw Status(.invalidArgument, "a client certificate needs its key, and a key its certificate")
        }
        return try context(configuration)
    }

    /// The handler a client connection to `host` starts with: the server's certificate
    /// must name `host`, or hold it as an IP address when `host` is one.
    static func clientHandler(_ context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        let literal = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: literal ? nil : host)
    }

    private static func chain(_ path: String) throws(Status) -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMFile(path) } catch {
            throw Status(.invalidArgument, "\(path) holds no readable PEM certificate: \(error)")
        }
        guard !certificates.isEmpty else { throw Status(.invalidArgument, "\(path) holds no PEM certificate") }
        return certificates
    }

    private static func privateKey(_ path: String) throws(Status) -> NIOSSLPrivateKey {
        do { return try NIOSSLPrivateKey(file: path, format: .pem) } catch {
            throw Status(.invalidArgument, "\(path) holds no readable PEM private key: \(error)")
        }
    }

    private static func context(_ configuration: TLSConfiguration) throws(Status) -> NIOSSLContext {
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw Status(.invalidArgument, "the TLS configuration is refused: \(error)")
        }
    }
}
