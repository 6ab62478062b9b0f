/// Checks of an NGCP API base URL that keep credentials out of it.
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
        guard let schemeEnd = url.range(of: "://"), let authority = authority(of: url),
            let at = authority.lastIndex(of: "@")
        else { return url }
        let host = authority[authority.index(after: at)...]
        let rest = url[schemeEnd.upperBound...].dropFirst(authority.count)
        return url[..<schemeEnd.upperBound] + "***@" + host + rest
    }

    /// The message for a URL with user information, which never repeats the password.
    public static func userInfoMessage(_ url: String) -> String {
        "invalid URL '\(redacted(url))': it contains a user name or password; give the URL "
            + "without them, and the user in NGCP_USER (or --user) and the password in "
            + "NGCP_PASSWORD (or the target's password_env)"
    }

    private static func authority(of url: String) -> Substring? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let end = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        return rest[..<end]
    }
}
