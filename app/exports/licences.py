"""The licences and attributions every export carries (LICENSES.md, in English and Bangla):
the directory mixes sources under different licences, and ODbL rows must keep their notice."""

LICENCES_PATH = "/export/licences"

# one line a source: (English, Bangla)
SOURCES = (
    (
        "Data model: Human Services Data Specification (HSDS) 3.0, an Open Referral resource "
        "(https://openreferral.org/), CC BY-SA 4.0.",
        "ডেটা মডেল: হিউম্যান সার্ভিসেস ডেটা স্পেসিফিকেশন (HSDS) ৩.০, ওপেন রেফারেলের একটি সম্পদ "
        "(https://openreferral.org/), CC BY-SA 4.0।",
    ),
    (
        "Administrative boundaries and pcodes: Bangladesh Bureau of Statistics (BBS) / OCHA, via "
        "the Humanitarian Data Exchange (HDX COD-AB Bangladesh), CC BY 3.0 IGO.",
        "প্রশাসনিক সীমানা ও পি-কোড: বাংলাদেশ পরিসংখ্যান ব্যুরো (বিবিএস) / ওচা, হিউম্যানিটারিয়ান "
        "ডেটা এক্সচেঞ্জের (HDX COD-AB Bangladesh) মাধ্যমে, CC BY 3.0 IGO।",
    ),
    (
        "Place names and Bangla labels: Bangladesh GeoCode by Nuhil Mehdy "
        "(https://github.com/nuhil/bangladesh-geocode), MIT licence.",
        "স্থানের নাম ও বাংলা লেবেল: নুহিল মেহদীর বাংলাদেশ জিওকোড "
        "(https://github.com/nuhil/bangladesh-geocode), MIT লাইসেন্স।",
    ),
    (
        "Health facilities © OpenStreetMap contributors, via healthsites.io / HDX, available "
        "under the Open Database License (ODbL 1.0, https://opendatacommons.org/licenses/odbl/"
        "1-0/). Rows with source `openstreetmap` and licence `ODbL-1.0` keep this notice; a "
        "database derived from them must be offered under the ODbL.",
        "স্বাস্থ্যকেন্দ্র © ওপেনস্ট্রিটম্যাপ অবদানকারীগণ, healthsites.io / এইচডিএক্সের মাধ্যমে, "
        "ওপেন ডেটাবেস লাইসেন্সের (ODbL 1.0) অধীনে। উৎস `openstreetmap` ও লাইসেন্স `ODbL-1.0` "
        "লেখা সারিগুলো এই নোটিশ বহন করে; এগুলো থেকে তৈরি ডেটাবেস ODbL-এর অধীনেই দিতে হবে।",
    ),
    (
        "National helplines: facts from the government and news pages cited in each record "
        "(`source_note`).",
        "জাতীয় হেল্পলাইন: প্রতিটি রেকর্ডে (`source_note`) উল্লিখিত সরকারি ও সংবাদ পাতার তথ্য।",
    ),
    (
        "Providers of Jashore, Satkhira and Dhaka: facts from the project's field reports "
        "(Ashshash close-out and progress reports, CWCS referral system, DAM project summary).",
        "যশোর, সাতক্ষীরা ও ঢাকার সেবাদানকারী: প্রকল্পের মাঠ প্রতিবেদনের তথ্য (আশ্বাস সমাপনী ও "
        "অগ্রগতি প্রতিবেদন, সিডব্লিউসিএস রেফারেল ব্যবস্থা, ডিএএম প্রকল্প সারসংক্ষেপ)।",
    ),
)

# the short notice an export carries inline (CSV column, GeoJSON member)
NOTICE = (
    "Mixed licences: see LICENSES.md (" + LICENCES_PATH + "). OpenStreetMap rows: ODbL 1.0, "
    "© OpenStreetMap contributors."
)
NOTICE_BN = (
    "একাধিক লাইসেন্স: LICENSES.md (" + LICENCES_PATH + ") দেখুন। ওপেনস্ট্রিটম্যাপের সারি: "
    "ODbL 1.0, © ওপেনস্ট্রিটম্যাপ অবদানকারীগণ।"
)


def licences_markdown() -> str:
    """LICENSES.md: every source's attribution, in English then Bangla."""
    lines = [
        "# Licences and attributions / লাইসেন্স ও কৃতজ্ঞতা",
        "",
        "The directory's exports combine these sources; each row names its own source and "
        "licence (`data_source`, `licence`). Confidential locations and inactive services are "
        "never exported.",
        "",
        "এই নির্দেশিকার রপ্তানি ফাইলগুলো নিচের উৎসগুলো মিলিয়ে তৈরি; প্রতিটি সারিতে তার নিজের উৎস ও "
        "লাইসেন্স (`data_source`, `licence`) লেখা আছে। গোপন অবস্থান ও নিষ্ক্রিয় সেবা কখনো রপ্তানি "
        "করা হয় না।",
        "",
        "## English",
        "",
        *(f"- {en}" for en, _ in SOURCES),
        "",
        "## বাংলা",
        "",
        *(f"- {bn}" for _, bn in SOURCES),
        "",
    ]
    return "\n".join(lines)
