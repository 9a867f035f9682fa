import Foundation

extension Simulator {
    /// Admin routes under `/_sim/`: world, tokens, clock and faults (documented in the README).
    func handleAdmin(_ request: SimulatorRequest) -> SimulatorResponse {
        let body =
            (try? JSONSerialization.jsonObject(with: Data(request.body.isEmpty ? Array("{}".utf8) : request.body)))
            as? [String: Any]
        func ok(_ value: JSONValue) -> SimulatorResponse {
            SimulatorResponse(
                status: 200,
                headers: [("Content-Type", "application/json; charset=UTF-8")],
                body: value.rendered()
            )
        }
        func bad(_ message: String, status: Int = 400) -> SimulatorResponse {
            SimulatorResponse(
                status: status,
                headers: [("Content-Type", "application/json; charset=UTF-8")],
                body: errorBody(message)
            )
        }
        guard let body else { return bad("the body must be a JSON object") }
        let segments = request.path.split(separator: "/").dropFirst()  // after "_sim"
        let key = segments.map { Int($0) == nil ? String($0) : "{id}" }.joined(separator: "/")
        let pathID = segments.lazy.compactMap { Int($0) }.first

        switch (request.method, key) {
        case ("GET", "characters"):
            return ok(
                .array(
                    self.world.characterIDs.map { id in
                        .object([
                            ("character_id", .int(id)),
                            ("character_name", .string(self.world.name(ofCharacter: id) ?? "")),
                            ("owner_hash", .string(self.world.ownerHash(ofCharacter: id) ?? "")),
                        ])
                    }
                )
            )
        case ("POST", "characters"):
            let id = self.world.addCharacter(corporationID: body["corporation_id"] as? Int)
            return ok(
                .object([
                    ("character_id", .int(id)), ("character_name", .string(self.world.name(ofCharacter: id) ?? "")),
                ])
            )
        case ("POST", "characters/{id}/transfer"):
            guard let id = pathID, let hash = self.world.transferCharacter(id) else {
                return bad("unknown character", status: 404)
            }
            // A character moved to another account loses its grants, as on EVE's SSO.
            self.sso.revokeAll(characterID: id)
            return ok(.object([("character_id", .int(id)), ("owner_hash", .string(hash))]))
        case ("POST", "characters/{id}/corporation"):
            guard let id = pathID, let corporation = body["corporation_id"] as? Int,
                self.world.moveCharacter(id, toCorporation: corporation, at: self.clock.now())
            else { return bad("unknown character or corporation", status: 404) }
            self.cache.invalidate(prefix: "")
            return ok(.object([("character_id", .int(id)), ("corporation_id", .int(corporation))]))
        case ("POST", "characters/{id}/script"):
            guard let change = ScriptedChange(body) else {
                return bad(
                    "op must be travel (solar_system_id, station_id), move_asset (item_id, location_id), "
                        + "sell_asset (item_id, price, buyer_id) or freeze"
                )
            }
            guard let id = pathID, self.world.script(id, change, at: self.clock.now()) else {
                return bad("unknown character or item", status: 404)
            }
            self.cache.invalidate(prefix: "")
            return ok(.object([("character_id", .int(id)), ("scripted", .int(1))]))
        case ("POST", "tokens"):
            guard let id = body["character_id"] as? Int else { return bad("character_id is required") }
            let scopes: [String]
            if let list = body["scopes"] as? [String] {
                scopes = list
            } else if (body["scopes"] as? String) == "all" || body["scopes"] == nil {
                scopes = self.allScopes
            } else {
                return bad("scopes must be a list of scopes or \"all\"")
            }
            guard
                let token = self.issueRefreshToken(
                    characterID: id,
                    scopes: scopes,
                    clientID: body["client_id"] as? String
                )
            else {
                return bad("unknown character", status: 404)
            }
            return ok(
                .object([
                    ("character_id", .int(id)), ("character_name", .string(self.world.name(ofCharacter: id) ?? "")),
                    ("refresh_token", .string(token)), ("scopes", .array(scopes.map { .string($0) })),
                ])
            )
        case ("POST", "tokens/revoke"):
            if let token = body["refresh_token"] as? String {
                return ok(.object([("revoked", .int(self.sso.revoke(refreshToken: token) ? 1 : 0))]))
            }
            if let id = body["character_id"] as? Int {
                return ok(.object([("revoked", .int(self.sso.revokeAll(characterID: id)))]))
            }
            return bad("refresh_token or character_id is required")
        case ("GET", "stats"):
            // ESI answers sent, by status: a client that respects the error limit never sees a 420.
            return ok(
                .object(
                    self.answeredStatuses.sorted { $0.key < $1.key }.map { (String($0.key), JSONValue.int($0.value)) }
                )
            )
        case ("GET", "clock"):
            return ok(.object([("now", .date(self.clock.now()))]))
        case ("POST", "clock/advance"):
            guard let seconds = (body["seconds"] as? NSNumber)?.doubleValue, seconds >= 0, seconds <= 3_153_600_000
            else {
                return bad("seconds (a number from 0 to 100 years) is required")
            }
            self.clock.advance(by: seconds)
            return ok(.object([("now", .date(self.clock.now()))]))
        case ("GET", "faults"):
            return ok(self.faultsJSON())
        case ("POST", "faults"), ("PUT", "faults"):
            guard let data = try? JSONSerialization.data(withJSONObject: body),
                let faults = try? JSONDecoder().decode(Faults.self, from: data)
            else {
                return bad("not a valid fault description")
            }
            self.setFaults(faults)
            if let remain = body["error_limit_remain"] as? Int { self.errorLimiter.setRemaining(remain) }
            if let algorithm = body["jwt_algorithm"] as? String, algorithm == "RS256" || algorithm == "ES256" {
                self.sso.setSigningAlgorithm(algorithm)
            }
            return ok(self.faultsJSON())
        case ("DELETE", "faults"):
            self.setFaults(Faults())
            return ok(self.faultsJSON())
        default:
            return bad("no admin route \(request.method) \(request.path)", status: 404)
        }
    }

    private func faultsJSON() -> JSONValue {
        let data = (try? JSONEncoder().encode(self.faults)) ?? Data("{}".utf8)
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return .object(
            object.keys.sorted().map { key in
                let value = object[key]!
                if let list = value as? [Any] { return (key, .array(list.map { .string("\($0)") })) }
                return (key, .double((value as? NSNumber)?.doubleValue ?? 0))
            } + [
                ("error_limit_remain", .int(self.errorLimiter.status().remain)),
                ("jwt_algorithm", .string(self.sso.signingAlgorithm)),
            ]
        )
    }
}
