"""The referrals domain's errors: each says, in English and Bangla, what is wrong."""

from app.core.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    InvalidHeader,
    InvalidParameter,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)


class ReferralNotFound(NotFound):
    code = "referral-not-found"
    en = "No referral with id {referral_id}."
    bn = "{referral_id} আইডির কোনো রেফারেল নেই।"


class MouNotFound(NotFound):
    code = "mou-not-found"
    en = "No MoU with id {mou_id}."
    bn = "{mou_id} আইডির কোনো সমঝোতা স্মারক নেই।"


class IfMatchRequired(PreconditionRequired):
    en = "Send If-Match with the referral's current ETag."
    bn = "রেফারেলের বর্তমান ETag সহ If-Match পাঠান।"


class ReferralChanged(PreconditionFailed):
    en = "The referral changed since you read it; read it again."
    bn = "আপনি পড়ার পর রেফারেলটি বদলেছে; আবার পড়ুন।"


class InvalidReferral(InvalidField):
    code = "invalid-referral"


# what a move must carry


class OutcomeBeforeReferral(InvalidReferral):
    field = "outcome.completed_on"
    en = "is before the referral was made"
    bn = "রেফারেলের আগের তারিখ"


class RejectionNeedsReason(InvalidReferral):
    field = "reason_code"
    en = "a rejection needs a reason code"
    bn = "প্রত্যাখ্যানের কারণ দিন"


class MoveNeedsReason(InvalidReferral):
    field = "note"
    en = "moving to {to} needs a reason"
    bn = "কারণ লিখুন"


class ResumeNeedsReason(InvalidReferral):
    field = "note"
    en = "resuming needs a reason"
    bn = "আবার শুরুর কারণ লিখুন"


class CompletionNeedsOutcome(InvalidReferral):
    field = "outcome"
    en = "completing needs the outcome"
    bn = "ফলাফল দিন"


class OutcomeOnlyOnCompletion(InvalidReferral):
    field = "outcome"
    en = "only a completion carries an outcome"
    bn = "শুধু সম্পন্ন হলে ফলাফল দিন"


# who may move a referral, and where it may go


class NotAParty(Forbidden):
    en = "Referrals are made by the caseworkers of the referring organization."
    bn = "রেফারেল করেন রেফারকারী সংস্থার কেসওয়ার্কাররা।"


class NotAReader(Forbidden):
    en = "Referrals are read by the caseworkers of their two organizations."
    bn = "রেফারেল দেখেন দুই সংস্থার কেসওয়ার্কাররা।"


class ReferralClosed(Conflict):
    code = "referral-closed"
    en = "A {status} referral is closed; make a follow-up referral instead."
    bn = "বন্ধ রেফারেল আর খোলা যায় না; নতুন ফলো-আপ রেফারেল করুন।"


class NoSuchMove(Conflict):
    code = "no-such-move"
    en = "A referral cannot move from {current} to {to}."
    bn = "রেফারেল {current} থেকে {to} এ যেতে পারে না।"


class AdminsOnlyMarkErrors(Forbidden):
    en = "Only admins mark a referral as entered in error."
    bn = "শুধু অ্যাডমিন ভুল এন্ট্রি চিহ্নিত করেন।"


class ProvidersMove(Forbidden):
    en = "This move is the provider's to make."
    bn = "এই পরিবর্তন প্রদানকারীর করার কথা।"


class ReferrersMove(Forbidden):
    en = "This move is the referring organization's to make."
    bn = "এই পরিবর্তন রেফারকারী সংস্থার করার কথা।"


# making a referral


class CaseRefNeedsDigit(InvalidReferral):
    field = "case_ref"
    en = "must hold a digit, e.g. RJ-2026-0042; never a name"
    bn = "অন্তত একটি অঙ্ক থাকতে হবে, যেমন RJ-2026-0042; কখনো নাম নয়"


class CaseRefPattern(InvalidReferral):
    field = "case_ref"
    en = "does not follow your organization's pattern {pattern}"
    bn = "আপনার সংস্থার ধরন {pattern} অনুসরণ করে না"


class IdempotencyKeyReused(InvalidHeader):
    field = "Idempotency-Key"
    en = "was used with another body"
    bn = "অন্য অনুরোধে ব্যবহৃত হয়েছে"


class NoActiveService(InvalidReferral):
    field = "service_id"
    en = "no such active service"
    bn = "এমন কোনো চালু সেবা নেই"


class OwnService(InvalidReferral):
    field = "service_id"
    en = "is a service of your own organization"
    bn = "আপনার নিজের সংস্থার সেবা"


class PreviousStillOpen(Conflict):
    code = "previous-referral-open"
    en = "The previous referral is still open."
    bn = "আগের রেফারেলটি এখনো খোলা।"


# MoUs


class UnknownParty(InvalidReferral):
    en = "no such organization"
    bn = "এমন কোনো সংস্থা নেই"


class UnknownMouCategory(InvalidReferral):
    en = "unknown category {category!r}"
    bn = "অজানা সেবার ধরন"


class NotProvidersService(InvalidReferral):
    en = "not a service of the provider organization"
    bn = "সেবাটি প্রদানকারী সংস্থার নয়"


class MouEndsBeforeStart(InvalidReferral):
    field = "valid_to"
    en = "is before valid_from"
    bn = "শুরুর তারিখের আগে"


class MayNotSignMou(Forbidden):
    en = "Only the parties' admins, their district admins and admins sign MoUs in."
    bn = "শুধু পক্ষগুলোর অ্যাডমিন, জেলা অ্যাডমিন ও অ্যাডমিন সমঝোতা স্মারক যোগ করতে পারেন।"


class MayNotChangeMou(Forbidden):
    en = "Only the parties' admins, their district admins and admins change MoUs."
    bn = "শুধু পক্ষগুলোর অ্যাডমিন, জেলা অ্যাডমিন ও অ্যাডমিন সমঝোতা স্মারক বদলাতে পারেন।"


# reports and webhooks


class NoReports(Forbidden):
    en = "Your role has no referral reports."
    bn = "আপনার ভূমিকায় রেফারেল প্রতিবেদন নেই।"


class NotWebhookAdmin(Forbidden):
    en = "Only platform admins set or remove an organization's webhook."
    bn = "শুধু প্ল্যাটফর্মের অ্যাডমিন সংস্থার ওয়েবহুক ঠিক করেন বা সরান।"


class UnknownGroups(InvalidParameter):
    field = "group_by"
    en = "unknown groups {unknown}; use {known}"
    bn = "অজানা group_by {unknown}"
