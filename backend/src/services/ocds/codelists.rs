//! The OCDS codelists Huimin's statuses and methods map to, and the scheme its organisation
//! identifiers use: each a closed list, so every value maps into it.

use chrono::NaiveDate;
use entity::rules::vocab::{
    ContractStatus, MilestoneStatus, ServiceCategory, TenderMethod, TenderStatus,
};

/// The identifier scheme of organisations: the unified social credit code (GB 32100-2015),
/// as listed in org-id.guide.
pub const CN_USCC: &str = "CN-USCC";

/// OCDS `tender.status` (closed `tenderStatus` codelist) of a tender. A draft is a process
/// being planned; a closed tender is still under evaluation, so its process is `active`.
pub fn tender_status(s: TenderStatus) -> &'static str {
    match s {
        TenderStatus::Draft => "planning",
        TenderStatus::Published | TenderStatus::Closed => "active",
        TenderStatus::Awarded => "complete",
        TenderStatus::Cancelled => "cancelled",
        TenderStatus::Unsuccessful => "unsuccessful",
    }
}

/// OCDS `procurementMethod` (closed `method` codelist): open tendering is `open`, invited
/// tendering `selective`, and the negotiated methods (competitive consultation and
/// negotiation, inquiry), where the purchaser approaches suppliers, `limited`.
pub fn procurement_method(m: TenderMethod) -> &'static str {
    match m {
        TenderMethod::Open => "open",
        TenderMethod::Invited => "selective",
        TenderMethod::CompetitiveConsultation
        | TenderMethod::CompetitiveNegotiation
        | TenderMethod::Inquiry => "limited",
    }
}

/// `procurementMethodDetails`: the method's name in the Government Procurement Law, and ours.
pub fn procurement_method_details(m: TenderMethod) -> String {
    let name = match m {
        TenderMethod::Open => "公开招标",
        TenderMethod::Invited => "邀请招标",
        TenderMethod::CompetitiveConsultation => "竞争性磋商",
        TenderMethod::CompetitiveNegotiation => "竞争性谈判",
        TenderMethod::Inquiry => "询价",
    };
    format!("{name} ({})", m.as_str())
}

/// OCDS `contract.status` (closed `contractStatus` codelist). OCDS has one word for a
/// contract that was in force and has ended, whether completed or terminated early.
pub fn contract_status(s: ContractStatus) -> &'static str {
    match s {
        ContractStatus::Draft => "pending",
        ContractStatus::Active => "active",
        ContractStatus::Completed | ContractStatus::Terminated => "terminated",
        ContractStatus::Cancelled => "cancelled",
    }
}

/// OCDS `award.status` (closed `awardStatus` codelist) of the award a contract came from:
/// proposed until the contract is signed, in force once it is, cancelled with it.
pub fn award_status(s: ContractStatus) -> &'static str {
    match s {
        ContractStatus::Draft => "pending",
        ContractStatus::Active | ContractStatus::Completed | ContractStatus::Terminated => "active",
        ContractStatus::Cancelled => "cancelled",
    }
}

/// OCDS `milestone.status` (closed `milestoneStatus` codelist): accepted is `met`; rejected,
/// cancelled and overdue (due before `today`, not accepted) are `notMet`; the rest
/// `scheduled`.
pub fn milestone_status(s: MilestoneStatus, due: NaiveDate, today: NaiveDate) -> &'static str {
    match s {
        MilestoneStatus::Accepted => "met",
        MilestoneStatus::Rejected | MilestoneStatus::Cancelled => "notMet",
        MilestoneStatus::Planned | MilestoneStatus::Submitted if due < today => "notMet",
        MilestoneStatus::Planned | MilestoneStatus::Submitted => "scheduled",
    }
}

/// The Chinese name of a service category, as a release's item describes it.
pub(super) fn category_label(c: ServiceCategory) -> &'static str {
    match c {
        ServiceCategory::Children => "儿童关爱服务",
        ServiceCategory::Elderly => "养老服务",
        ServiceCategory::Women => "妇女服务",
        ServiceCategory::Disability => "残疾人服务",
        ServiceCategory::Community => "社区服务",
        ServiceCategory::Volunteer => "志愿服务",
        ServiceCategory::Other => "其他社会服务",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_maps_into_its_closed_codelist() {
        let tender = [
            "planning",
            "active",
            "complete",
            "cancelled",
            "unsuccessful",
        ];
        for s in TenderStatus::ALL {
            assert!(tender.contains(&tender_status(*s)), "{s:?}");
        }
        for s in ContractStatus::ALL {
            assert!(
                ["pending", "active", "cancelled", "terminated"].contains(&contract_status(*s))
            );
            assert!(["pending", "active", "cancelled"].contains(&award_status(*s)));
        }
        for m in TenderMethod::ALL {
            assert!(["open", "selective", "limited"].contains(&procurement_method(*m)));
        }
    }

    #[test]
    fn a_milestone_past_due_and_not_accepted_is_not_met() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let today = d("2026-05-01");
        assert_eq!(
            milestone_status(MilestoneStatus::Planned, d("2026-05-01"), today),
            "scheduled"
        );
        assert_eq!(
            milestone_status(MilestoneStatus::Submitted, d("2026-04-30"), today),
            "notMet"
        );
        assert_eq!(
            milestone_status(MilestoneStatus::Accepted, d("2026-04-30"), today),
            "met"
        );
        assert_eq!(
            milestone_status(MilestoneStatus::Cancelled, d("2026-06-30"), today),
            "notMet"
        );
    }
}
