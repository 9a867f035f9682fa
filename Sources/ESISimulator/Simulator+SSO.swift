import Foundation
import Synchronization

extension Simulator {
    /// EVE SSO's routes; nil for any other path.
    func handleSSO(_ request: SimulatorRequest) -> SimulatorResponse? {
        let json = [("Content-Type", "application/json; charset=UTF-8")]
        switch (request.method, request.path) {
        case ("GET", "/.well-known/oauth-authorization-server"):
            let base = self.sso.issuer
            let document = JSONValue.object([
                ("issuer", .string(base)),
                ("authorization_endpoint", .string("\(base)/v2/oauth/authorize")),
                ("token_endpoint", .string("\(base)/v2/oauth/token")),
                ("response_types_supported", .array([.string("code"), .string("token")])),
                ("jwks_uri", .string("\(base)/oauth/jwks")),
                ("revocation_endpoint", .string("\(base)/v2/oauth/revoke")),
                (
                    "revocation_endpoint_auth_methods_supported",
                    .array([.string("client_secret_basic"), .string("client_secret_post")])
                ),
                (
                    "token_endpoint_auth_methods_supported",
                    .array([.string("client_secret_basic"), .string("client_secret_post")])
                ),
                ("token_endpoint_auth_signing_alg_values_supported", .array([.string("HS256")])),
                ("code_challenge_methods_supported", .array([.string("S256")])),
            ])
            return SimulatorResponse(status: 200, headers: json, body: document.rendered())
        case ("GET", "/oauth/jwks"):
            self.keySetRequests.withLock { $0 += 1 }
            guard let keys = try? self.sso.keys.jwks() else {
                return SimulatorResponse(status: 500, headers: json, body: errorBody("jwks"))
            }
            return SimulatorResponse(status: 200, headers: json, body: keys.rendered())
        case ("GET", "/v2/oauth/authorize"):
            return self.authorize(request)
        case ("POST", "/v2/oauth/token"):
            guard request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true else {
                return oauthError(400, "invalid_request", "The token request must be form-encoded.")
            }
            do {
                let body = try self.sso.token(
                    form: parseForm(request.body),
                    authorization: request.headers["authorization"],
                    now: self.clock.now()
                )
                return SimulatorResponse(
                    status: 200,
                    headers: json,
                    body: body.rendered(),
                    delay: self.faults.latencyMilliseconds / 1000
                )
            } catch {
                return oauthError(error.status, error.error, error.description)
            }
        case ("POST", "/v2/oauth/revoke"):
            let form = parseForm(request.body)
            guard let token = form["token"] else { return oauthError(400, "invalid_request", "token is required") }
            self.sso.revoke(refreshToken: token)
            return SimulatorResponse(status: 200, headers: json, body: [])
        default:
            return nil
        }
    }

    /// The authorize step. With `character_id` in the query (a headless login) it approves at
    /// once; otherwise it shows a page to pick a character, as EVE's login page does.
    private func authorize(_ request: SimulatorRequest) -> SimulatorResponse {
        let query = request.query
        guard query["response_type"] == "code" else {
            return oauthError(400, "unsupported_response_type", "response_type must be code")
        }
        guard let clientID = query["client_id"], self.sso.clients[clientID] != nil else {
            return oauthError(400, "invalid_client", "Unknown client_id.")
        }
        guard let redirect = query["redirect_uri"], let state = query["state"], !state.isEmpty else {
            return oauthError(400, "invalid_request", "redirect_uri and state are required.")
        }
        if let method = query["code_challenge_method"], method != "S256" {
            return oauthError(400, "invalid_request", "Only the S256 code challenge method is supported.")
        }
        let scopes = (query["scope"] ?? "").split(separator: " ").map(String.init)
        let known = Set(self.allScopes + ["publicData"])
        if let unknown = scopes.first(where: { !known.contains($0) }) {
            return oauthError(400, "invalid_scope", "The requested '\(unknown)' scope is not valid.")
        }
        guard let id = query["character_id"].flatMap(Int.init) else {
            return self.loginPage(query)
        }
        guard let name = self.world.name(ofCharacter: id), let owner = self.world.ownerHash(ofCharacter: id) else {
            return oauthError(400, "invalid_request", "Unknown character.")
        }
        let code = self.sso.createCode(
            grant: SingleSignOn.Grant(
                characterID: id,
                characterName: name,
                clientID: clientID,
                scopes: scopes,
                ownerHash: owner
            ),
            redirectURI: redirect,
            challenge: query["code_challenge"],
            now: self.clock.now()
        )
        var components = URLComponents(string: redirect)
        let existing = components?.queryItems ?? []
        components?.queryItems =
            existing + [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: state)]
        return SimulatorResponse(status: 302, headers: [("Location", components?.string ?? redirect)], body: [])
    }

    /// A plain page listing the world's characters, each a link that completes the login.
    private func loginPage(_ query: [String: String]) -> SimulatorResponse {
        var html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>EVE SSO (simulator)</title></head><body>"
        html += "<h1>Log in with EVE Online (simulator)</h1><p>Choose a character:</p><ul>"
        for id in self.world.characterIDs {
            var items = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
            items.append(URLQueryItem(name: "character_id", value: String(id)))
            var components = URLComponents()
            components.path = "/v2/oauth/authorize"
            components.queryItems = items
            let name = (self.world.name(ofCharacter: id) ?? String(id)).replacingOccurrences(of: "<", with: "&lt;")
            html += "<li><a href=\"\(components.string ?? "")\">\(name)</a></li>"
        }
        html += "</ul></body></html>"
        return SimulatorResponse(
            status: 200,
            headers: [("Content-Type", "text/html; charset=utf-8")],
            body: Array(html.utf8)
        )
    }
}

func oauthError(_ status: Int, _ error: String, _ description: String) -> SimulatorResponse {
    SimulatorResponse(
        status: status,
        headers: [("Content-Type", "application/json; charset=UTF-8")],
        body: JSONValue.object([("error", .string(error)), ("error_description", .string(description))]).rendered()
    )
}

/// Parses `application/x-www-form-urlencoded` bytes.
func parseForm(_ body: [UInt8]) -> [String: String] {
    var form = [String: String]()
    for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func decode(_ text: Substring) -> String {
            text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
        }
        form[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
    }
    return form
}
