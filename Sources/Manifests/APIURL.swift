#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Checks of an NGCP API base URL that keep credentials out of it.
///
/// The URL is split at Unicode scalars, as libcurl, which reads bytes, splits it. A Swift
/// `Character` joins a delimiter with a combining mark after it, so `"@\u{301}"` is no `"@"` as
/// a character, but it still ends the user information for the client.
public enum APIURL {
    /// Whether `url` carries user information (`user:password@host`). The URL is printed,
    /// saved in plans and journals, and used to name lock files, so a password in it would
    /// leak. The API user and password come from `NGCP_USER` and the password variable.
    public static func hasUserInfo(_ url: String) -> Bool {
        guard let authority = authority(of: url) else { return false }
        return authority.contains("@")
    }

    /// The URL with any user information replaced by `***`, for error messages.
    public static func redacted(_ url: String) -> String {
        guard let authority = authority(of: url), let at = authority.lastIndex(of: "@") else {
            return url
        }
        let scalars = url.unicodeScalars
        let host = authority[authority.index(after: at)...]
        return String(scalars[..<authority.startIndex]) + "***@" + String(host)
            + String(scalars[authority.endIndex...])
    }

    /// The message for a URL with user information, which never repeats the password.
    public static func userInfoMessage(_ url: String) -> String {
        "invalid URL '\(redacted(url))': it contains a user name or password; give the URL "
            + "without them, and the user in NGCP_USER (or --user) and the password in "
            + "NGCP_PASSWORD (or the target's password_env)"
    }

    /// Returns what makes `url` unusable as an NGCP API base URL, or nil when it is usable. A
    /// path is allowed, for a server behind a proxy that serves the API under a prefix.
    /// Returns whether `text` is an IPv6 address as the C library reads one.
    private static func isIPv6Address(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    public static func problem(_ url: String) -> String? {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"),
            let authority = authority(of: url)
        else { return "it must start with https:// or http://" }
        if url.unicodeScalars.contains(where: { $0 == "?" || $0 == "#" }) {
            return "it must not have a query or a fragment"
        }
        if url.unicodeScalars.contains(where: { $0 == " " || $0 == "\t" }) {
            return "it contains a space"
        }
        if url.unicodeScalars.contains(where: {
            $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F
        }) {
            return "it contains a line break or another control character"
        }

        // `hasUserInfo` reports credentials, so the host is what follows them.
        let hostAndPort =
            authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] }
            ?? authority
        var host = hostAndPort
        var port: Substring.UnicodeScalarView?
        if hostAndPort.first == "[" {
            // An IPv6 address in brackets, which contains colons itself.
            guard let close = hostAndPort.firstIndex(of: "]") else {
                return "the IPv6 address in it has no closing ']'"
            }
            host = hostAndPort[...close]
            let address = host.dropFirst().dropLast()
            let isAddressScalar = { (scalar: Unicode.Scalar) in
                scalar.properties.isASCIIHexDigit || scalar == ":" || scalar == "."
            }
            guard !address.isEmpty, address.allSatisfy(isAddressScalar),
                isIPv6Address(String(address))
            else {
                return "'\(String(host))' is not an IPv6 address"
            }
            let rest = hostAndPort[hostAndPort.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else { return "the text after ']' must be ':PORT'" }
                port = rest.dropFirst()
            }
        } else if let colon = hostAndPort.lastIndex(of: ":") {
            host = hostAndPort[..<colon]
            port = hostAndPort[hostAndPort.index(after: colon)...]
        }

        if host.isEmpty { return "it has no host name" }
        if host.first != "[", host.contains(":") {
            return "the host '\(String(host))' has a colon; write an IPv6 address in brackets,"
                + " [::1]"
        }
        if let port {
            let digits = String(port)
            guard !port.isEmpty, port.allSatisfy({ ("0"..."9").contains($0) }),
                let number = Int(digits), (1...65_535).contains(number)
            else { return "the port '\(digits)' is not a number from 1 to 65535" }
        }
        return nil
    }

    /// Returns `url` with its scheme and host in lower case, which name the same server in
    /// any case, and without trailing slashes or a final `/api`, which the client adds to
    /// every request. The rest of the path is kept as written.
    public static func normalized(_ url: String) -> String {
        var text = casedNormally(url)
        while text.hasSuffix("/") { text.removeLast() }
        if text.lowercased().hasSuffix("/api") { text.removeLast(4) }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    private static func casedNormally(_ url: String) -> String {
        guard let authority = authority(of: url) else { return url }
        let scalars = url.unicodeScalars
        let scheme = String(scalars[..<authority.startIndex]).lowercased()
        // User information, if any, is rejected elsewhere; it keeps its case here.
        let at = authority.lastIndex(of: "@")
        let userInfo = at.map { String(authority[...$0]) } ?? ""
        let host = at.map { authority[authority.index(after: $0)...] } ?? authority
        return scheme + userInfo + String(host).lowercased()
            + String(scalars[authority.endIndex...])
    }

    /// Returns the scalars between the first `://` and the next `/`, `?` or `#`.
    private static func authority(of url: String) -> Substring.UnicodeScalarView? {
        let scalars = url.unicodeScalars
        guard let separator = scalars.firstRange(of: "://".unicodeScalars) else { return nil }
        let rest = scalars[separator.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return rest[..<end]
    }
}
