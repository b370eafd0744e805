import BahiCore
import BahiHTTP
import BahiJSON
import Synchronization

/// The I/O edge of courier providers: booking, cancelling before pickup and NDR actions
/// through Shiprocket's and Delhivery's APIs. Core builds each request and reads each answer
/// (`ShiprocketAPI`, `DelhiveryAPI`, `CourierNDRInstruction`); this sends them, always with no
/// transaction open (the routes ask the provider between a read and a write).
///
/// Requests carry credentials (Shiprocket's password at login, its bearer token, Delhivery's
/// API token): nothing here logs a request, its headers or its body.
struct CourierGateways: Sendable {
    let app: BahiContext
    let secrets: BahiConfiguration.Secrets
    let urls: BahiConfiguration.CourierChoice

    /// A Shiprocket token is used for 9 of its 10 days, then a new one is asked for.
    static let tokenLifetimeMs: Int64 = 9 * 86_400_000

    init(_ app: BahiContext) {
        self.app = app
        self.secrets = app.configuration.secrets
        self.urls = app.configuration.couriers
    }

    /// The secrets `provider` needs that are not set, as configuration keys (empty when
    /// everything is set, or the provider needs none).
    func missingSecrets(_ provider: CourierFields.Provider) -> [String] {
        switch provider {
        case .shiprocket:
            (secrets.shiprocketEmail.isEmpty ? ["secrets.shiprocket_email"] : []) + (secrets.shiprocketPassword.isEmpty ? ["secrets.shiprocket_password"] : [])
        case .delhivery: secrets.delhiveryAPIToken.isEmpty ? ["secrets.delhivery_api_token"] : []
        case .manual, .waybillPool: []
        }
    }

    /// `courier_not_configured` naming each secret `courier`'s provider lacks; nothing when all are set.
    func checkConfigured(_ courier: Courier) throws {
        let missing = missingSecrets(courier.fields.provider)
        guard !missing.isEmpty else { return }
        let names = missing.joined(separator: " and ")
        throw DomainError(.courierNotConfigured,
                          "Courier \(courier.code) books through \(courier.fields.provider.rawValue), whose credentials are not set: set \(names) (or its BAHI_SECRETS_… environment variable).",
                          problems: missing.map { FieldProblem($0, "required", "Set \($0) in the configuration.") })
    }

    // MARK: booking

    /// Books `plan`'s parcel at its courier's provider: Shiprocket's order, AWB and pickup, or
    /// Delhivery's shipment. A Shiprocket pickup that is refused after the AWB was assigned
    /// cancels that AWB there (best effort) and answers the refusal: the booking did not happen.
    func book(_ plan: BookShipmentFlow.ProviderPlan) async -> CourierProviderAnswer<CourierBookingReference> {
        let courier = plan.courier
        switch courier.fields.provider {
        case .shiprocket:
            var session = ShiprocketSession()
            let base = urls.shiprocketAPIURL
            let order = await shiprocket(&session) { token in
                ShiprocketAPI.createOrder(baseURL: base, token: token, parcel: plan.parcel, pickupLocation: plan.pickupLocation)
            } read: { ShiprocketAPI.orderAnswer(status: $0, body: $1) }
            guard case .ok(let ids) = order else { return order.recast() }
            let assigned = await shiprocket(&session) { token in
                ShiprocketAPI.assignAWB(baseURL: base, token: token, shipmentID: ids.shipmentID, courierID: courier.fields.providerCourierID ?? "")
            } read: { ShiprocketAPI.assignAnswer(status: $0, body: $1) }
            guard case .ok(let awb) = assigned else { return assigned.recast() }
            let pickup = await shiprocket(&session) { token in
                ShiprocketAPI.generatePickup(baseURL: base, token: token, shipmentID: ids.shipmentID)
            } read: { ShiprocketAPI.pickupAnswer(status: $0, body: $1) }
            guard pickup.isOK else {
                _ = await cancel(courier: courier, reference: CourierBookingReference(awb: awb))
                return pickup.recast()
            }
            return .ok(CourierBookingReference(awb: awb, providerOrderID: ids.orderID, providerShipmentID: ids.shipmentID))
        case .delhivery:
            let request = DelhiveryAPI.create(baseURL: urls.delhiveryAPIURL, token: secrets.delhiveryAPIToken, parcel: plan.parcel, pickupLocation: plan.pickupLocation)
            let answer = await send(request, provider: "Delhivery") { DelhiveryAPI.createAnswer(status: $0, body: $1) }
            guard case .ok(let waybill) = answer else { return answer.recast() }
            return .ok(CourierBookingReference(awb: waybill))
        case .manual, .waybillPool:
            return .refused(message: "Courier \(courier.code) is not booked through a provider's API.", field: nil)
        }
    }

    /// Cancels AWB `reference` at `courier`'s provider (before pickup).
    func cancel(courier: Courier, reference: CourierBookingReference) async -> CourierProviderAnswer<Void> {
        switch courier.fields.provider {
        case .shiprocket:
            var session = ShiprocketSession()
            let base = urls.shiprocketAPIURL
            return await shiprocket(&session) { token in ShiprocketAPI.cancel(baseURL: base, token: token, awbs: [reference.awb]) }
                read: { ShiprocketAPI.cancelAnswer(status: $0, body: $1) }
        case .delhivery:
            return await send(DelhiveryAPI.cancel(baseURL: urls.delhiveryAPIURL, token: secrets.delhiveryAPIToken, waybill: reference.awb),
                              provider: "Delhivery") { DelhiveryAPI.cancelAnswer(status: $0, body: $1) }
        case .manual, .waybillPool:
            return .ok(())
        }
    }

    // MARK: NDR

    /// What became of an NDR instruction.
    enum NDROutcome: Sendable, Equatable {
        /// The provider took it; its words ("Data Updated Sucessfully", an upload id).
        case accepted(String)
        /// The provider refused it (its message, and the field it named).
        case refused(String, field: String?)
        /// This provider's API cannot take this instruction (Delhivery has no return act).
        case unsupported(String)
        /// Credentials or the instruction itself are missing something (the problems name it).
        case invalid([FieldProblem])
        /// No certain answer: safe to send again.
        case unavailable(String)
    }

    /// Sends `instruction` about an undelivered parcel to `courier`'s provider, with no
    /// transaction open; the NDR routes call this.
    func sendNDR(courier: Courier, instruction: CourierNDRInstruction) async -> NDROutcome {
        let problems = instruction.problems() + missingSecrets(courier.fields.provider).map { FieldProblem($0, "required", "Set \($0) in the configuration.") }
        guard problems.isEmpty else { return .invalid(problems) }
        let answer: CourierProviderAnswer<String>
        switch courier.fields.provider {
        case .shiprocket:
            var session = ShiprocketSession()
            let base = urls.shiprocketAPIURL
            answer = await shiprocket(&session) { token in instruction.shiprocket(baseURL: base, token: token) }
                read: { CourierNDRInstruction.shiprocketAnswer(status: $0, body: $1) }
        case .delhivery:
            switch instruction.delhivery(baseURL: urls.delhiveryAPIURL, token: secrets.delhiveryAPIToken) {
            case .unsupported(let why): return .unsupported(why)
            case .request(let r): answer = await send(r, provider: "Delhivery") { CourierNDRInstruction.delhiveryAnswer(status: $0, body: $1) }
            }
        case .manual, .waybillPool:
            return .unsupported("Courier \(courier.code) is \(courier.fields.provider.rawValue): tell the courier yourself.")
        }
        switch answer {
        case .ok(let said): return .accepted(said)
        case .refused(let message, let field): return .refused(message, field: field)
        case .unauthorized: return .refused("Shiprocket did not accept a fresh token.", field: "secrets.shiprocket_email")
        case .unavailable(let why): return .unavailable(why)
        }
    }

    // MARK: sending

    /// Whether this call has logged in already (one new login per call at most).
    struct ShiprocketSession {
        var relogged = false
    }

    /// One Shiprocket call with the kept token (logging in first when there is none or it is
    /// old); on a 401, one new login and the call again.
    func shiprocket<T: Sendable>(
        _ session: inout ShiprocketSession, _ build: (String) -> CourierProviderRequest, read: @escaping (Int, [UInt8]) -> CourierProviderAnswer<T>
    ) async -> CourierProviderAnswer<T> {
        let now = Int64(WallClock.milliseconds())
        var token = app.shiprocketToken.withLock { kept in kept.flatMap { now - $0.at < Self.tokenLifetimeMs ? $0.token : nil } }
        if token == nil {
            switch await login() {
            case .ok(let fresh): token = fresh
            case let failed: return failed.recast()
            }
        }
        let answer = await send(build(token ?? ""), provider: "Shiprocket", read: read)
        guard case .unauthorized = answer, !session.relogged else {
            if case .unauthorized = answer { return .refused(message: "Shiprocket did not accept a fresh token.", field: "secrets.shiprocket_email") }
            return answer
        }
        session.relogged = true
        app.shiprocketToken.withLock { $0 = nil }
        switch await login() {
        case .ok(let fresh):
            let again = await send(build(fresh), provider: "Shiprocket", read: read)
            if case .unauthorized = again { return .refused(message: "Shiprocket did not accept a fresh token.", field: "secrets.shiprocket_email") }
            return again
        case let failed: return failed.recast()
        }
    }

    /// Logs in to Shiprocket and keeps the token.
    func login() async -> CourierProviderAnswer<String> {
        let request = ShiprocketAPI.login(baseURL: urls.shiprocketAPIURL, email: secrets.shiprocketEmail, password: secrets.shiprocketPassword)
        let answer = await send(request, provider: "Shiprocket") { ShiprocketAPI.loginAnswer(status: $0, body: $1) }
        if case .ok(let token) = answer {
            let now = Int64(WallClock.milliseconds())
            app.shiprocketToken.withLock { $0 = (token, now) }
        }
        return answer
    }

    /// Sends `request` and reads the answer; no answer at all (refused connection, timeout,
    /// broken response) is `.unavailable` naming the provider and the failure, never the request.
    func send<T: Sendable>(_ request: CourierProviderRequest, provider: String, read: (Int, [UInt8]) -> CourierProviderAnswer<T>) async -> CourierProviderAnswer<T> {
        do {
            var headers = HTTPHeaders()
            for (field, value) in request.headers { headers.add(name: field, value: value) }
            var outgoing = try HTTPClientRequest(method: request.method == .post ? .post : .get, url: request.url, headers: headers, body: request.body)
            let limit = Duration.milliseconds(urls.providerTimeoutMs)
            outgoing.timeouts = HTTPClientTimeouts(connect: min(limit, .seconds(5)), read: limit, total: limit)
            outgoing.bodyExcerptLimit = 256 * 1024
            let response = try await app.gatewayClient().execute(outgoing)
            return read(response.status.code, response.body)
        } catch {
            return .unavailable("\(provider) could not be reached (\(error.code))")
        }
    }

    /// The problem a failed provider answer is: 502 `courier_refused` with the provider's
    /// words (and the field it named), or 503 `courier_unavailable`.
    static func problem<T>(_ answer: CourierProviderAnswer<T>, courier: Courier, doing: String) -> DomainError {
        let provider = courier.fields.provider == .shiprocket ? "Shiprocket" : "Delhivery"
        switch answer {
        case .refused(let message, let field):
            return DomainError(.courierRefused, "Courier \(courier.code): \(doing) was refused. \(message)",
                               problems: field.map { [FieldProblem($0, "refused_by_courier", message)] } ?? [])
        case .unavailable(let why):
            return DomainError(.courierUnavailable, "\(provider) gave no certain answer to \(doing) for courier \(courier.code) (\(why)); nothing changed in Bahi: try again.")
        case .unauthorized:
            return DomainError(.courierRefused, "\(provider) did not accept Bahi's credentials for \(doing); check the configuration's secrets.")
        case .ok:
            return DomainError(.corruptRow, "A successful answer from \(provider) was taken for a failure.")
        }
    }
}
