import LakehouseKit

/// The rules a proposed worker must meet (SPEC §6 FillValidator), as the local drafter applies them
/// when choosing: active, the requested role, state and shift and day, near the requested city,
/// holding the role's certification.
enum FillRules {
    /// The radius around a known city within which a worker counts as local. validatord's default
    /// `VALIDATORD_RADIUS_MILES` is the same 50.
    static let radiusMiles = 50.0

    /// Whether `worker` may be proposed for `request`; `anyState` drops the place rules (the
    /// drafter's deliberate `geo_mismatch` looks for a worker who breaks only those).
    static func qualifies(_ worker: Worker, for request: FillRequestSpec, anyState: Bool = false) -> Bool {
        guard worker.isActive else { return false }
        let role = request.role ?? worker.role
        guard worker.role == role else { return false }
        if !anyState && !isNear(worker, request) { return false }
        if let shift = request.shift, !worker.shifts.contains(shift) { return false }
        if let day = request.day, !worker.days.contains(day) { return false }
        if let certification = RoleVocabulary.certification(for: role), !worker.certifications.contains(certification) { return false }
        return true
    }

    /// Same state, and within `radiusMiles` of the city when the gazetteer knows it.
    static func isNear(_ worker: Worker, _ request: FillRequestSpec) -> Bool {
        if let state = request.state, worker.state.uppercased() != state.uppercased() { return false }
        if let name = request.city, let state = request.state, let city = Gazetteer.city(named: name, state: state) {
            return Gazetteer.distanceMiles(lat1: worker.lat, lon1: worker.lon, lat2: city.lat, lon2: city.lon) <= radiusMiles
        }
        return true
    }

    /// The workers the drafter would propose, best first: qualified ones, those named in same-role
    /// playbooks ahead of the rest, each once, otherwise in retrieval order.
    static func ranked(_ context: FillDraftContext) -> [Worker] {
        var seen: Set<String> = []
        let qualified = context.workers.filter { seen.insert($0.id).inserted && qualifies($0, for: context.request) }
        let preferred = Set(context.playbookWorkerIDs ?? [])
        return qualified.filter { preferred.contains($0.id) } + qualified.filter { !preferred.contains($0.id) }
    }
}
