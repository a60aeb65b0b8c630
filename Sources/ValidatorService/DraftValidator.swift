import LakehouseKit

/// Runs FillValidator and EmailValidator over one roster snapshot, with truthd asked once per
/// validation for the certifications the fill's role needs.
public struct DraftValidator: Sendable {
    let roster: RosterHolder
    let certifications: any CertificationSource
    let radiusMiles: Double

    public init(roster: RosterHolder, certifications: any CertificationSource, radiusMiles: Double) {
        self.roster = roster
        self.certifications = certifications
        self.radiusMiles = radiusMiles
    }

    /// The roster-only part of a fill's validation, and what truthd still has to confirm.
    func checkFill(_ fill: FillProposal, context: ValidationContext?, prefix: String = "$", roster: CompactRoster) -> FillValidator.FillCheck {
        FillValidator(roster: roster, radiusMiles: radiusMiles).validate(fill, context: context, prefix: prefix)
    }

    /// Completes a fill check with truthd's answer.
    func finish(_ check: FillValidator.FillCheck, requestID: String?) async -> [Violation] {
        guard let certification = check.certification, !check.pending.isEmpty else { return check.violations }
        let answer = await certifications.confirmed(certification: certification, workerIDs: check.pending.map(\.workerID), requestID: requestID)
        return check.violations + FillValidator.certificationViolations(check, answer: answer)
    }

    func validateEmail(_ email: ClientEmail, fill: FillProposal, prefix: String = "$", roster: CompactRoster) -> [Violation] {
        EmailValidator(roster: roster).validate(email, fill: fill, prefix: prefix)
    }

    /// A whole draft of the iterate loop: `$.fill…` and `$.email…` paths, one roster snapshot.
    public func validate(_ draft: FillDraft, request: FillRequestSpec, requestID: String?) async throws(ValidatorError) -> [Violation] {
        let snapshot = try roster.snapshot()
        let check = checkFill(draft.fill, context: ValidationContext(request: request), prefix: "$.fill", roster: snapshot)
        let emailViolations = validateEmail(draft.email, fill: draft.fill, prefix: "$.email", roster: snapshot)
        return await finish(check, requestID: requestID) + emailViolations
    }
}
