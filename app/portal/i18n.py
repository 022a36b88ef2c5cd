"""The portal's words, numbers and dates in Bangla (the default) and English."""

from datetime import date, datetime, time
from typing import Literal

from starlette.requests import Request

from app.core.i18n import ranked_language

Lang = Literal["bn", "en"]
LANGS: tuple[Lang, ...] = ("bn", "en")

_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "bn": ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট",
           "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর"),
}  # fmt: skip
WEEKDAYS = {
    "en": {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat",
           "SU": "Sun"},
    "bn": {"MO": "সোম", "TU": "মঙ্গল", "WE": "বুধ", "TH": "বৃহস্পতি", "FR": "শুক্র", "SA": "শনি",
           "SU": "রবি"},
}  # fmt: skip

# Every label and message of the pages: key -> (English, Bangla).
TEXT: dict[str, tuple[str, str]] = {
    "site_name": ("Service directory", "সেবা নির্দেশিকা"),
    "site_tagline": ("Help for survivors of trafficking: health, legal aid, shelter, training, "
                     "jobs",
                     "মানব পাচারের শিকার মানুষের জন্য সহায়তা: "
                     "স্বাস্থ্য, আইনগত সহায়তা, আশ্রয়, প্রশিক্ষণ, কাজ"),
    "skip_to_results": ("Skip to results", "ফলাফলে যান"),
    "language": ("Language", "ভাষা"),
    "switch_language": ("বাংলা", "English"),
    "search_label": ("What do you need?", "কী সেবা দরকার?"),
    "search_hint": ("e.g. legal aid, doctor, shelter", "যেমন: আইনগত সহায়তা, ডাক্তার, আশ্রয়"),
    "category_label": ("Kind of service", "সেবার ধরন"),
    "any_category": ("Any kind", "যেকোনো ধরন"),
    "division_label": ("Division", "বিভাগ"),
    "any_division": ("Any division", "যেকোনো বিভাগ"),
    "district_label": ("District", "জেলা"),
    "any_district": ("Any district", "যেকোনো জেলা"),
    "upazila_label": ("Upazila", "উপজেলা"),
    "any_upazila": ("Whole district", "পুরো জেলা"),
    "near_label": ("Near a place", "কোনো স্থানের কাছে"),
    "near_hint": ("union, upazila or town", "ইউনিয়ন, উপজেলা বা শহর"),
    "radius_label": ("Within", "দূরত্বের মধ্যে"),
    "free_label": ("Free of cost only", "শুধু বিনামূল্যে"),
    "submit": ("Search", "খুঁজুন"),
    "near_me": ("Near me", "আমার কাছে"),
    "near_me_busy": ("Finding where you are…", "আপনার অবস্থান খোঁজা হচ্ছে…"),
    "near_me_refused": ("Your location is not available. Choose a district and upazila instead.",
                        "আপনার অবস্থান পাওয়া যায়নি। এর বদলে জেলা ও উপজেলা বেছে নিন।"),
    "near_me_active": ("Sorted by distance from where you are.",
                       "আপনার অবস্থান থেকে দূরত্ব অনুযায়ী সাজানো।"),
    "clear_location": ("Forget my location", "আমার অবস্থান মুছুন"),
    "show_map": ("Show map", "মানচিত্র দেখুন"),
    "hide_map": ("Hide map", "মানচিত্র লুকান"),
    "map_label": ("Map of the results", "ফলাফলের মানচিত্র"),
    "results": ("Results", "ফলাফল"),
    "results_count": ("{n} services", "{n}টি সেবা"),
    "results_count_one": ("1 service", "১টি সেবা"),
    "page_of": ("Page {page} of {pages}", "পৃষ্ঠা {page} / {pages}"),
    "previous": ("Previous", "আগের পাতা"),
    "next": ("Next", "পরের পাতা"),
    "no_results": ("No service matches all of this.", "সবগুলো শর্ত মেলে এমন কোনো সেবা পাওয়া যায়নি।"),
    "try_instead": ("Try instead:", "এর বদলে চেষ্টা করুন:"),
    "relax_category": ("any kind of service", "যেকোনো ধরনের সেবা"),
    "relax_radius": ("within {km}", "{km} এর মধ্যে"),
    "relax_upazila": ("the whole district", "পুরো জেলা"),
    "relax_district": ("every district", "সব জেলা"),
    "relax_free": ("paid services too", "টাকা লাগে এমন সেবাও"),
    "relax_search": ("without the words", "শব্দগুলো ছাড়া"),
    "relax_count": ("{n} found", "{n}টি পাওয়া যাবে"),
    "nothing_found_call": ("Or call a national helpline:", "অথবা জাতীয় হেল্পলাইনে ফোন করুন:"),
    "helplines": ("National helplines (free, 24 hours)", "জাতীয় হেল্পলাইন (বিনামূল্যে, ২৪ ঘণ্টা)"),
    "call": ("Call", "ফোন করুন"),
    "free": ("Free of cost", "বিনামূল্যে"),
    "distance": ("{km} away", "{km} দূরে"),
    "approximate": ("Approximate location (area centre)", "আনুমানিক অবস্থান (এলাকার কেন্দ্র)"),
    "confidential": ("Location confidential: call", "অবস্থান গোপন: ফোন করুন"),
    "directions": ("Directions", "পথনির্দেশ"),
    "open_in_osm": ("OpenStreetMap", "ওপেনস্ট্রিটম্যাপ"),
    "open_in_maps_app": ("Maps app", "ম্যাপ অ্যাপ"),
    "hours": ("Opening hours", "খোলার সময়"),
    "verified_on": ("Last verified {date}", "সর্বশেষ যাচাই {date}"),
    "not_verified": ("Not yet verified", "এখনো যাচাই হয়নি"),
    "serves": ("Serves", "সেবা এলাকা"),
    "whole_country": ("the whole country", "সারা দেশ"),
    "organization": ("Organization", "সংস্থা"),
    "phones": ("Phone", "ফোন"),
    "address": ("Address", "ঠিকানা"),
    "eligibility": ("Who can use it", "কারা পাবেন"),
    "how_to_apply": ("How to get it", "কীভাবে পাবেন"),
    "fees": ("Fees", "খরচ"),
    "about": ("About", "বিস্তারিত"),
    "more": ("Details", "বিস্তারিত"),
    "back_to_results": ("Back to the search", "খোঁজায় ফিরে যান"),
    "source": ("Source", "উৎস"),
    "not_found": ("There is no such service in the directory.", "নির্দেশিকায় এমন কোনো সেবা নেই।"),
    "bad_request": ("This search cannot be done:", "এই খোঁজ করা যাচ্ছে না:"),
    "offline_banner": ("You are offline. This is the directory as last seen on {when}.",
                       "আপনি অফলাইনে আছেন। এটি {when} তারিখে সর্বশেষ দেখা নির্দেশিকা।"),
    "data_as_of": ("Directory data as of {when}", "নির্দেশিকার তথ্য {when} পর্যন্ত"),
    "attribution": ("Data: district referral networks; map data © OpenStreetMap contributors",
                    "তথ্য: জেলা রেফারেল নেটওয়ার্ক; মানচিত্রের তথ্য © ওপেনস্ট্রিটম্যাপ অবদানকারীগণ"),
    "embed_open_full": ("Open the full directory", "পূর্ণ নির্দেশিকা খুলুন"),
    "print_list": ("Print this list (PDF)", "এই তালিকা ছাপুন (পিডিএফ)"),
    "hotline_card": ("Hotline card to print (PDF)", "ছাপার জন্য হটলাইন কার্ড (পিডিএফ)"),
    "download_data": ("Download the data:", "তথ্য ডাউনলোড করুন:"),
    "download_csv": ("spreadsheet (CSV)", "স্প্রেডশিট (সিএসভি)"),
    "download_geojson": ("map layer (GeoJSON)", "মানচিত্রের স্তর (জিওজেসন)"),
    "download_hsds": ("Open Referral data package (HSDS)", "ওপেন রেফারেল ডেটা প্যাকেজ (এইচএসডিএস)"),
    "download_licences": ("licences", "লাইসেন্স"),
    "places_loading": ("Loading places…", "স্থানের তালিকা আসছে…"),
    "source_seed report": ("the network's field reports", "নেটওয়ার্কের মাঠ প্রতিবেদন"),
    "source_helpline list": ("the national helpline list", "জাতীয় হেল্পলাইনের তালিকা"),
    "source_openstreetmap": ("OpenStreetMap", "ওপেনস্ট্রিটম্যাপ"),
    "source_maintainer": ("the directory's maintainers", "নির্দেশিকার রক্ষণাবেক্ষণকারীরা"),
    # the printed directory and hotline card (app/print)
    "print_title": ("Service directory of {district}", "{district} জেলার সেবা নির্দেশিকা"),
    "print_printed_on": ("Printed on {date}", "মুদ্রণের তারিখ {date}"),
    "print_filters": ("Showing: {what}", "যা আছে: {what}"),
    "print_online": ("The same search online, always up to date:",
                     "একই খোঁজ অনলাইনে, সবসময় হালনাগাদ:"),
    "print_page": ("Page {page} of {pages}", "পৃষ্ঠা {page} / {pages}"),
    "print_empty": ("The directory lists no service for this search.",
                    "এই খোঁজে নির্দেশিকায় কোনো সেবা নেই।"),
    "print_licences": ("Data sources and licences", "তথ্যের উৎস ও লাইসেন্স"),
    "print_helpline_sources": ("National helplines: the government and news pages each helpline's "
                               "record cites (the directory's helpline list).",
                               "জাতীয় হেল্পলাইন: প্রতিটি হেল্পলাইনের রেকর্ডে উল্লেখ করা সরকারি ও "
                               "সংবাদ পাতা (নির্দেশিকার হেল্পলাইনের তালিকা)।"),
    "print_fonts": ("Fonts: Noto Sans and Noto Sans Bengali © Google, SIL Open Font License 1.1.",
                    "ফন্ট: নোটো সান্স ও নোটো সান্স বাংলা © গুগল, SIL ওপেন ফন্ট লাইসেন্স ১.১।"),
    "print_providers": ("Service providers", "সেবাদানকারী"),
    "print_key_providers": ("Help in {district}", "{district} জেলায় সহায়তা"),
    "print_scan": ("Scan for the full list", "পূর্ণ তালিকার জন্য স্ক্যান করুন"),
    "km": ("{n} km", "{n} কিমি"),
    "m": ("{n} m", "{n} মিটার"),
}  # fmt: skip


def portal_language(request: Request) -> Lang:
    """`?lang=` when given, else the first of bn/en in `Accept-Language`, else Bangla."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    best = ranked_language(request.headers.get("accept-language", ""), LANGS, "bn")
    return "en" if best == "en" else "bn"


class Words:
    """The text of one page in one language, as templates use it."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        en, bn = TEXT[key]
        template = bn if self.lang == "bn" else en
        return template.format(**{k: self.number(v) for k, v in values.items()})

    def number(self, value: object) -> str:
        """Digits in the page's script: ২.৫ in Bangla, 2.5 in English."""
        text = str(value)
        return text.translate(_BANGLA_DIGITS) if self.lang == "bn" else text

    def pick(self, en: str | None, bn: str | None) -> str:
        """The Bangla or English form of a name, falling back to the other."""
        if self.lang == "bn":
            return bn or en or ""
        return en or bn or ""

    def distance(self, km: float) -> str:
        """ "২.৫ কিমি", "800 m": metres under 1 km, one decimal under 10 km."""
        if km < 1:
            return self("m", n=int(round(km * 1000, -1)))
        shown = f"{km:.1f}" if km < 10 else f"{km:.0f}"
        return self("km", n=shown)

    def date(self, value: date | datetime) -> str:
        day = value.day
        return f"{self.number(day)} {MONTHS[self.lang][value.month - 1]} {self.number(value.year)}"

    def moment(self, value: datetime) -> str:
        return f"{self.date(value)}, {self.time(value.time())}"

    def time(self, value: time) -> str:
        return self.number(value.strftime("%H:%M"))

    def weekday(self, code: str) -> str:
        return WEEKDAYS[self.lang].get(code, code)
