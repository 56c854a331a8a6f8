//! Message model tests, written through one helper: `check(input, expected)` renders
//! every region as its kind and its text (Debug-quoted) on one line.

use super::{Message, RegionKind};

/// Each region of `message` as `Kind "text"`, one per line.
fn render(message: &Message) -> String {
    message
        .regions()
        .iter()
        .map(|region| {
            let kind = format!("{:?}", region.kind);
            format!("{kind:<11} {:?}\n", &message.text()[region.range.clone()])
        })
        .collect()
}

/// Parses `input` and compares its regions with `expected` (indentation and the
/// padding after the kind ignored).
fn check(input: &str, expected: &str) -> Message {
    check_message(Message::parse(input), expected)
}

fn check_message(message: Message, expected: &str) -> Message {
    assert_invariants(&message);
    let actual = render(&message);
    let normalize = |s: &str| -> Vec<String> {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| match l.split_once(' ') {
                Some((kind, text)) => format!("{kind} {}", text.trim_start()),
                None => l.to_owned(),
            })
            .collect()
    };
    assert_eq!(normalize(&actual), normalize(expected), "\n--- actual regions ---\n{actual}");
    message
}

/// What holds for every message: regions cover the text in order, on char boundaries,
/// without empty or mergeable neighbours; masked() keeps length and only checked text.
fn assert_invariants(message: &Message) {
    let text = message.text();
    let mut pos = 0;
    let mut previous: Option<RegionKind> = None;
    for region in message.regions() {
        assert_eq!(region.range.start, pos, "regions must be contiguous");
        assert!(region.range.start < region.range.end, "no empty regions");
        assert!(text.is_char_boundary(region.range.start) && text.is_char_boundary(region.range.end));
        assert_ne!(previous, Some(region.kind), "adjacent regions of one kind merge");
        previous = Some(region.kind);
        pos = region.range.end;
    }
    assert_eq!(pos, text.len(), "regions must cover the text");

    let masked = message.masked();
    assert_eq!(masked.len(), text.len());
    for region in message.regions() {
        let masked_part = &masked.as_bytes()[region.range.clone()];
        let original = &text.as_bytes()[region.range.clone()];
        if region.kind.is_checked() {
            assert_eq!(masked_part, original);
        } else {
            assert!(masked_part.iter().all(|&b| matches!(b, b' ' | b'\n' | b'\r')));
        }
    }
    if let Some(subject) = message.subject() {
        assert!(subject.end <= text.len() && text.is_char_boundary(subject.start));
    }
}

#[test]
fn compose_buffer_with_headers_and_a_subject() {
    let message = check(
        "From: Marcus Reid <marcus@example.com>\nTo: ingrid@example.org\nSubject: Renewal - need your decision\n\nHi Ingrid,\n\nThanks,\nMarcus\n",
        r#"
        Header      "From: Marcus Reid <marcus@example.com>\nTo: ingrid@example.org\nSubject: "
        Subject     "Renewal - need your decision"
        Header      "\n\n"
        Body        "Hi Ingrid,\n\nThanks,\nMarcus\n"
        "#,
    );
    let subject = message.subject().unwrap_or_default();
    assert_eq!(&message.text()[subject], "Renewal - need your decision");
    assert!(!message.is_decoded());
    assert_eq!(message.thread(), "");
}

#[test]
fn folded_headers_and_crlf() {
    check(
        "Subject: Re: the plan for\r\n the spring launch\r\nTo: a@example.com,\r\n\tb@example.com\r\nX-Mailer: x\r\n\r\nHello\r\n",
        r#"
        Header      "Subject: "
        Subject     "Re: the plan for\r\n the spring launch"
        Header      "\r\nTo: a@example.com,\r\n\tb@example.com\r\nX-Mailer: x\r\n\r\n"
        Body        "Hello\r\n"
        "#,
    );
}

#[test]
fn mbox_from_line_is_a_header() {
    check(
        "From marcus@example.com Mon Mar  2 10:00:00 2026\nFrom: marcus@example.com\nSubject: Hi\n\nBody\n",
        r#"
        Header      "From marcus@example.com Mon Mar  2 10:00:00 2026\nFrom: marcus@example.com\nSubject: "
        Subject     "Hi"
        Header      "\n\n"
        Body        "Body\n"
        "#,
    );
}

#[test]
fn plain_drafts_have_no_headers() {
    check("Hi Ingrid,\n\nQuick note.\n", r#"Body "Hi Ingrid,\n\nQuick note.\n""#);
    let message = check("Note: the meeting moved to 3pm.\n\nSee you there.\n", r#"Body "Note: the meeting moved to 3pm.\n\nSee you there.\n""#);
    assert_eq!(message.subject(), None);
}

#[test]
fn empty_and_garbage_input() {
    let empty = check("", "");
    assert_eq!(empty.masked(), "");
    assert_eq!(empty.thread(), "");
    check_message(Message::from_bytes(b"\x00\xff\xfe:::\n\n\x01 <> ``` > "), r#"Body "\0ÿþ:::\n\n\u{1} <> ``` > ""#);
    for input in ["\n", ":", "Subject:", "Subject:\n\n", "-- ", ">", "```", "<", "`", "@", "a@", "www."] {
        assert_invariants(&Message::parse(input));
    }
}

#[test]
fn empty_subject_is_an_empty_range() {
    let message = check(
        "Subject:\nTo: a@b.co\n\nHi\n",
        r#"
        Header      "Subject:\nTo: a@b.co\n\n"
        Body        "Hi\n"
        "#,
    );
    assert_eq!(message.subject(), Some(8..8));
}

#[test]
fn gmail_reply_with_interleaved_quotes() {
    let message = check(
        "On Mon, 9 Feb 2026 at 16:02, Kwame Mensah <kwame@example.org> wrote:\n> the resin will arrive on the 20th.\n> sorry :(\n\nThat is not acceptable.\n\n> We can offer expedited freight.\n\nI want the material.\n",
        r#"
        Attribution "On Mon, 9 Feb 2026 at 16:02, Kwame Mensah <kwame@example.org> wrote:\n"
        Quoted      "> the resin will arrive on the 20th.\n> sorry :(\n"
        Body        "\nThat is not acceptable.\n\n"
        Quoted      "> We can offer expedited freight.\n"
        Body        "\nI want the material.\n"
        "#,
    );
    assert_eq!(message.thread(), "the resin will arrive on the 20th.\nsorry :(\nWe can offer expedited freight.\n");
    let masked = message.masked();
    assert!(masked.contains("That is not acceptable.") && !masked.contains("sorry"));
}

#[test]
fn masked_blanks_everything_but_subject_and_body() {
    let message = check(
        "Subject: Hi `x`\r\n\r\n> no\r\nyes, see www.a.io\r\n-- \r\nMe\r\n",
        r#"
        Header      "Subject: "
        Subject     "Hi "
        Code        "`x`"
        Header      "\r\n\r\n"
        Quoted      "> no\r\n"
        Body        "yes, see "
        Link        "www.a.io"
        Body        "\r\n"
        Signature   "-- \r\nMe\r\n"
        "#,
    );
    assert_eq!(message.masked(), "         Hi    \r\n\r\n    \r\nyes, see         \r\n   \r\n  \r\n");
}

#[test]
fn nested_quotes_and_blank_quoted_lines() {
    let message = check(
        "Thanks!\n\n> Third time I write.\n>\n> On Mon, 2 Feb 2026 at 09:10, Helena wrote:\n> > Could you hold the rate?\n>> Or lower it?\n  > > > deep\n\n> Unless I hear from you.\n",
        r#"
        Body        "Thanks!\n\n"
        Quoted      "> Third time I write.\n>\n> On Mon, 2 Feb 2026 at 09:10, Helena wrote:\n> > Could you hold the rate?\n>> Or lower it?\n  > > > deep\n\n> Unless I hear from you.\n"
        "#,
    );
    assert_eq!(
        message.thread(),
        "Third time I write.\n\nOn Mon, 2 Feb 2026 at 09:10, Helena wrote:\nCould you hold the rate?\nOr lower it?\ndeep\n\nUnless I hear from you.\n"
    );
}

#[test]
fn attributions_in_other_forms() {
    check(
        "Sure.\n\nOn Tue, 3 Mar 2026 at 10:02, Jane Doe <\njane@example.com> wrote:\n\n> Can we meet?\n",
        r#"
        Body        "Sure.\n\n"
        Attribution "On Tue, 3 Mar 2026 at 10:02, Jane Doe <\njane@example.com> wrote:\n\n"
        Quoted      "> Can we meet?\n"
        "#,
    );
    check(
        "Jane Doe writes:\n> a\nAm 02.03.2026 um 10:00 schrieb Hans Müller <h@example.de>:\n> b\nLe lun. 2 mars 2026 à 10:00, Jean <j@example.fr> a écrit :\n> c\nThe auditor wrote:\n> d\n",
        r#"
        Attribution "Jane Doe writes:\n"
        Quoted      "> a\n"
        Attribution "Am 02.03.2026 um 10:00 schrieb Hans Müller <h@example.de>:\n"
        Quoted      "> b\n"
        Attribution "Le lun. 2 mars 2026 à 10:00, Jean <j@example.fr> a écrit :\n"
        Quoted      "> c\n"
        Attribution "The auditor wrote:\n"
        Quoted      "> d\n"
        "#,
    );
    // "wrote:" without a quote after it is prose, unless it is the dated "On ..." form.
    check("As Tom wrote:\nwe ship Monday.\n", r#"Body "As Tom wrote:\nwe ship Monday.\n""#);
}

#[test]
fn signature_ends_where_a_top_posted_thread_begins() {
    let message = check(
        "Best,\nHelen\n\n-- \nHelen Okoro\n\"Moving goods, not mountains.\"\n\nOn Wed, 4 Mar 2026 at 16:45, Ravi <ravi@example.com> wrote:\n> ours is the best WMS you will ever use\n",
        r#"
        Body        "Best,\nHelen\n\n"
        Signature   "-- \nHelen Okoro\n\"Moving goods, not mountains.\"\n\n"
        Attribution "On Wed, 4 Mar 2026 at 16:45, Ravi <ravi@example.com> wrote:\n"
        Quoted      "> ours is the best WMS you will ever use\n"
        "#,
    );
    assert_eq!(message.thread(), "ours is the best WMS you will ever use\n");
    check(
        "Thanks\r\n--\r\nJordan Blake\r\nSent from my phone - sry for typos\r\n",
        r#"
        Body        "Thanks\r\n"
        Signature   "--\r\nJordan Blake\r\nSent from my phone - sry for typos\r\n"
        "#,
    );
}

#[test]
fn outlook_original_message_and_header_blocks() {
    let message = check(
        "Kind regards,\nNadia\n\n-----Original Message-----\nFrom: Owen <owen@example.org>\nSent: Wednesday, 14 January 2026 08:47\nSubject: Complaint\n\nThis is a disgrace.\n",
        r#"
        Body        "Kind regards,\nNadia\n\n"
        Forwarded   "-----Original Message-----\nFrom: Owen <owen@example.org>\nSent: Wednesday, 14 January 2026 08:47\nSubject: Complaint\n\nThis is a disgrace.\n"
        "#,
    );
    assert!(message.thread().contains("This is a disgrace."));
    check(
        "See below.\n\n________________________________\nFrom: Sam\nSent: Tuesday\nTo: Zoe\nSubject: RE: Scanners\n\nWe guarantee it.\n",
        r#"
        Body        "See below.\n\n"
        Forwarded   "________________________________\nFrom: Sam\nSent: Tuesday\nTo: Zoe\nSubject: RE: Scanners\n\nWe guarantee it.\n"
        "#,
    );
    check(
        "FYI\n\n**From:** Sam Whitfield <sam@example.org>\n**Sent:** Tuesday, 10 February 2026 14:05\n**To:** Zoe\n**Subject:** RE: Scanner outage\n\nIt will never fail again.\n",
        r#"
        Body        "FYI\n\n"
        Forwarded   "**From:** Sam Whitfield <sam@example.org>\n**Sent:** Tuesday, 10 February 2026 14:05\n**To:** Zoe\n**Subject:** RE: Scanner outage\n\nIt will never fail again.\n"
        "#,
    );
}

#[test]
fn forwarded_message_markers() {
    check(
        "Background below.\n\nBegin forwarded message:\n\nFrom: Marta <marta@example.org>\nSubject: Re: Invoice\n\nYou people ALWAYS get it wrong.\n\n> On 5 Mar 2026, at 16:03, Hugo wrote:\n> Looking into it.\n",
        r#"
        Body        "Background below.\n\n"
        Forwarded   "Begin forwarded message:\n\nFrom: Marta <marta@example.org>\nSubject: Re: Invoice\n\nYou people ALWAYS get it wrong.\n\n> On 5 Mar 2026, at 16:03, Hugo wrote:\n> Looking into it.\n"
        "#,
    );
    let message = check(
        "FYI\n\n---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Mon, 2 Mar 2026\n\nOld text\n",
        r#"
        Body        "FYI\n\n"
        Forwarded   "---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Mon, 2 Mar 2026\n\nOld text\n"
        "#,
    );
    assert_eq!(message.thread(), "---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: Mon, 2 Mar 2026\n\nOld text\n");
}

#[test]
fn markdown_code_fences_and_inline_code() {
    check(
        "Steps:\n\n```python\nlog.warning(\"FAILED AGAIN!!!\")\n> not a quote\n-- \n```\n\nSet `FAIL_FAST=true` and ``a ` b``.\n~~~\nunclosed\n",
        r#"
        Body        "Steps:\n\n"
        Code        "```python\nlog.warning(\"FAILED AGAIN!!!\")\n> not a quote\n-- \n```\n"
        Body        "\nSet "
        Code        "`FAIL_FAST=true`"
        Body        " and "
        Code        "``a ` b``"
        Body        ".\n"
        Code        "~~~\nunclosed\n"
        "#,
    );
}

#[test]
fn urls_and_addresses() {
    check(
        "Subject: Docs at https://docs.example.com\n\nThe docs are at https://docs.example.com/api/exports. Write to ama.boateng@example.com,\nsee <https://x.example/a?b=c> (or www.example.org) and mailto:help@example.com!\n",
        r#"
        Header      "Subject: "
        Subject     "Docs at "
        Link        "https://docs.example.com"
        Header      "\n\n"
        Body        "The docs are at "
        Link        "https://docs.example.com/api/exports"
        Body        ". Write to "
        Link        "ama.boateng@example.com"
        Body        ",\nsee "
        Link        "<https://x.example/a?b=c>"
        Body        " (or "
        Link        "www.example.org"
        Body        ") and "
        Link        "mailto:help@example.com"
        Body        "!\n"
        "#,
    );
}

#[test]
fn single_part_message_keeps_the_original_text() {
    let input = "From: a@example.com\r\nSubject: Hi\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCafé talk\r\n> old\r\n";
    let message = check(
        input,
        r#"
        Header      "From: a@example.com\r\nSubject: "
        Subject     "Hi"
        Header      "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        Body        "Café talk\r\n"
        Quoted      "> old\r\n"
        "#,
    );
    assert!(!message.is_decoded());
    assert_eq!(message.text(), input);
}

#[test]
fn multipart_with_a_plain_identity_part_keeps_file_offsets() {
    let input = "Subject: x\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\nHello there\n> quoted\n--XX\nContent-Type: text/html\n\n<p>Hello there</p>\n--XX--\n";
    let message = check(
        input,
        r#"
        Header      "Subject: "
        Subject     "x"
        Header      "\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\n"
        Body        "Hello there\n"
        Quoted      "> quoted"
        Header      "\n--XX\nContent-Type: text/html\n\n<p>Hello there</p>\n--XX--\n"
        "#,
    );
    assert!(!message.is_decoded());
    assert_eq!(message.text(), input);
}

#[test]
fn quoted_printable_part_of_multipart_alternative_is_decoded() {
    let message = check(
        "From: a@example.com\nSubject: =?utf-8?q?Caf=C3=A9_plans?=\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nThe caf=C3=A9 is a long line that=\n continues.\n> quoted =3D old\n--XX\nContent-Type: text/html\n\n<p>Hi</p>\n--XX--\n",
        r#"
        Header      "From: a@example.com\nSubject: "
        Subject     "Café plans"
        Header      "\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"XX\"\n\n"
        Body        "The café is a long line that continues.\n"
        Quoted      "> quoted = old"
        "#,
    );
    assert!(message.is_decoded());
    assert_eq!(message.thread(), "quoted = old\n");
}

#[test]
fn base64_part_is_decoded() {
    let message = check(
        "Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQKPiBxdW90ZWQK\n",
        r#"
        Header      "Subject: "
        Subject     "x"
        Header      "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        Body        "Hello world\n"
        Quoted      "> quoted\n"
        "#,
    );
    assert!(message.is_decoded());
}

#[test]
fn html_only_message_is_turned_into_text() {
    let message = check(
        "Subject: x\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<html><head><style>p {}</style></head><body><p>Hi <b>Jo</b>,</p><p>Thanks &amp; see you.</p></body></html>\n",
        r#"
        Header      "Subject: "
        Subject     "x"
        Header      "\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        Body        "Hi Jo,\nThanks & see you.\n"
        "#,
    );
    assert!(message.is_decoded());
}

#[test]
fn latin1_bytes_are_read_as_windows_1252() {
    // No MIME at all: 8-bit text from an old client.
    let message = check_message(
        Message::from_bytes(b"Subject: Caf\xe9\n\nCaf\xe9 \x93ok\x94\n"),
        r#"
        Header      "Subject: "
        Subject     "Café"
        Header      "\n\n"
        Body        "Café “ok”\n"
        "#,
    );
    assert!(message.is_decoded());
    // A declared charset is honoured by the MIME parser.
    let message = check_message(
        Message::from_bytes(b"Subject: x\nContent-Type: text/plain; charset=iso-8859-1\n\nna\xefve\n"),
        r#"
        Header      "Subject: "
        Subject     "x"
        Header      "\nContent-Type: text/plain; charset=iso-8859-1\n\n"
        Body        "naïve\n"
        "#,
    );
    assert!(message.is_decoded());
    // Without a declared charset, MIME text falls back to Windows-1252 too.
    let message = Message::from_bytes(b"Subject: x\nMIME-Version: 1.0\n\nna\xefve\n");
    assert!(message.is_decoded() && message.text().ends_with("\n\nnaïve\n"));
}

#[test]
fn valid_utf8_bytes_are_not_decoded() {
    let input = "Hi Ana Lucía,\n\n¿Qué tal? 😀 https://x.example/ü\n";
    let message = Message::from_bytes(input.as_bytes());
    assert!(!message.is_decoded());
    assert_eq!(message.text(), input);
    assert_invariants(&message);
}

#[test]
fn byte_order_mark_and_emacs_separator() {
    check(
        "\u{feff}Subject: Hi\n--text follows this line--\nHello\n",
        r#"
        Header      "\u{feff}Subject: "
        Subject     "Hi"
        Header      "\n--text follows this line--\n"
        Body        "Hello\n"
        "#,
    );
    check(
        "\u{feff}Hello\n",
        r#"
        Header      "\u{feff}"
        Body        "Hello\n"
        "#,
    );
}

/// Shapes of the development corpus, inlined: each snippet with the fragments that
/// must stay out of checked text (`never_in`) and text that must stay checked.
#[test]
fn corpus_shapes_keep_old_text_signatures_and_code_unchecked() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            // Outlook top-post with a header block under -----Original Message-----
            "Hi Mr Gallagher,\n\nWe apologise if you felt that.\n\nKind regards,\nNadia Rahman\nCustomer Care\n\n-----Original Message-----\nFrom: Owen Gallagher <owen@example.org>\nSent: Wednesday, 14 January 2026 08:47\nTo: Support <support@example.com>\nSubject: Complaint - internet down for FOUR days\n\nThis is a disgrace. I work from home!!!\n",
            &["Complaint - internet down for FOUR days", "This is a disgrace.", "I work from home!!!"],
            &["We apologise if you felt that."],
        ),
        (
            // Markdown notes with a fenced block and inline code
            "To: Billing <billing@example.com>\nSubject: Migration notes for the v3 API\n\n1. Bump to `3.2.0`.\n\n```python\n    raise RuntimeError(\"NEVER WORKS - you always break this\")\n```\n\n3. Set `FAIL_FAST=true` in staging.\n",
            &["NEVER WORKS - you always break this", "FAIL_FAST=true", "billing@example.com"],
            &["Migration notes for the v3 API", "in staging."],
        ),
        (
            // Reply whose quote nests an earlier attribution and quote
            "Subject: Re: Renewal quote\n\nOn Thu, 12 Feb 2026 at 17:05, Victor Lam <victor@example.com> wrote:\n> Helena, this is the third time I've written about the renewal.\n>\n> On Mon, 2 Feb 2026 at 09:10, Helena <helena@example.org> wrote:\n> > Could you hold the current rate?\n>\n> Unless I hear from you before the 16th, I'll take it that you've moved\n> on.\n\nHi Victor,\n\nThanks for your patience.\n",
            &["this is the third time I've written", "Unless I hear from you before the 16th", "Could you hold"],
            &["Thanks for your patience."],
        ),
        (
            // Interleaved reply with a nested quote and a docs link
            "On Mon, 2 Mar 2026 at 08:15, Ama Boateng <ama@example.org> wrote:\n> We need the export fixed ASAP. Why is the CSV missing the region column???\n\nThat one is on us.\n\n> Also still waiting on these:\n> > Can we get the export in JSON as well?\n\nYes. The docs are at https://docs.example.com/api/exports.\n",
            &["We need the export fixed ASAP.", "Why is the CSV missing the region column???", "Can we get", "https://docs.example.com"],
            &["That one is on us.", "The docs are at "],
        ),
        (
            // Signature, then a top-posted reply's thread
            "We expect a shortlist by March.\n\nBest,\nHelen\n\n-- \nHelen Okoro\nHead of Operations\n\"Moving goods, not mountains.\"\n\nOn Wed, 4 Mar 2026 at 16:45, Ravi <ravi@example.com> wrote:\n> As you saw, ours is the best WMS you will ever use, and we\n> guarantee zero picking errors from day one.\n",
            &["Moving goods, not mountains.", "ours is the best WMS you will ever use", "guarantee zero picking errors"],
            &["We expect a shortlist by March."],
        ),
        (
            // Apple Mail forward whose old message has its own quote
            "Forwarding the thread.\n\nThanks,\nHugo\n\nBegin forwarded message:\n\nFrom: Marta <marta@example.org>\nSubject: Re: Invoice INV-7741\nDate: 6 March 2026 at 10:12:40 GMT\nTo: Hugo <hugo@example.com>\n\nYou people ALWAYS get the seat count wrong. Fix it by Friday or we're cancelling.\n\n> On 5 Mar 2026, at 16:03, Hugo wrote:\n> I'm looking into it.\n",
            &["You people ALWAYS get the seat count wrong.", "Fix it by Friday or we're cancelling."],
            &["Forwarding the thread."],
        ),
        (
            // Headers with an upper-case display name; signature slogan
            "From: Hamid <hamid@example.com>\nCc: COMPLAINTS DESK <complaints@example.com>\nSubject: Your complaint\n\nI'm sorry.\n\n-- \nSam | Scanline\nScanline: the BEST scanners in the world - GUARANTEED to never fail!!!\n",
            &["COMPLAINTS DESK", "GUARANTEED to never fail!!!"],
            &["Your complaint", "I'm sorry."],
        ),
    ];
    for (input, never_checked, checked) in cases {
        let message = Message::parse(input);
        assert_invariants(&message);
        let is_checked_at = |offset: usize| message.regions().iter().any(|r| r.kind.is_checked() && r.range.contains(&offset));
        for fragment in *never_checked {
            let at = input.find(fragment).unwrap_or_else(|| panic!("{fragment} not in input"));
            let leaked = (at..at + fragment.len()).any(is_checked_at);
            assert!(!leaked, "{fragment:?} is checked in:\n{}", render(&message));
        }
        for fragment in *checked {
            let at = input.find(fragment).unwrap_or_else(|| panic!("{fragment} not in input"));
            let all = (at..at + fragment.len()).all(is_checked_at);
            assert!(all, "{fragment:?} is not checked in:\n{}", render(&message));
        }
    }
}

#[test]
fn dated_attribution_over_an_unquoted_old_message() {
    check(
        "Thanks, will do.\n\nOn Mon, 2 Mar 2026 at 10:00, Jo <jo@example.com> wrote:\nFix it by Friday.\n",
        r#"
        Body        "Thanks, will do.\n\n"
        Attribution "On Mon, 2 Mar 2026 at 10:00, Jo <jo@example.com> wrote:\n"
        Forwarded   "Fix it by Friday.\n"
        "#,
    );
    // The usual shape of an HTML-only Gmail reply once turned into text.
    let message = check(
        "Subject: Re: x\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n<div dir=\"ltr\">Sounds good.</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Mon, 2 Mar 2026 at 10:00, Jo &lt;jo@example.com&gt; wrote:<br></div><blockquote class=\"gmail_quote\">Fix it by Friday.</blockquote></div>\n",
        r#"
        Header      "Subject: "
        Subject     "Re: x"
        Header      "\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        Body        "Sounds good.\n"
        Attribution "On Mon, 2 Mar 2026 at 10:00, Jo <jo@example.com> wrote:\n"
        Forwarded   "Fix it by Friday."
        "#,
    );
    assert_eq!(message.thread(), "Fix it by Friday.\n");
}

#[test]
fn utf8_text_under_a_latin1_charset_is_read_as_latin1() {
    // Read as it stands only when the parser would give the same text back: these
    // bytes are UTF-8, but the header says Latin-1, so the parser decodes them as that.
    let message = Message::parse("Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n\nnaïve\n");
    assert!(message.is_decoded() && message.text().ends_with("\n\nnaÃ¯ve\n"));
    // The same header over ASCII is the text itself.
    let input = "Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 7bit\n\nnaive\n";
    let message = Message::parse(input);
    assert!(!message.is_decoded() && message.text() == input);
}

/// An inline disposition changes nothing the parser would give back, so the text is
/// read as it stands; a text part sent as an attachment is not the body, and nothing
/// of it is checked.
#[test]
fn a_text_part_sent_inline_is_the_body_and_one_sent_as_an_attachment_is_not() {
    let header = "Subject: x\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Disposition: ";
    let inline = format!("{header}inline\n\nPlease reply ASAP.\n");
    let message = Message::parse(&inline);
    assert!(!message.is_decoded() && message.text() == inline);
    let body = "Please reply ASAP.";
    assert_eq!(message.masked().find(body), inline.find(body));
    let attached = format!("{header}attachment; filename=notes.txt\n\nPlease reply ASAP.\n");
    assert!(!Message::parse(&attached).masked().contains(body));
}

#[test]
fn a_date_the_mime_parser_misreads_does_not_swallow_the_body() {
    // easy-ham-1/00304: "UT" as the zone made the MIME parser's date reader run past
    // the empty line, so the reply's first paragraph was taken for header (and, in a
    // multipart message, the part structure was lost). The date is not parsed now.
    let head = "Subject: x\nMIME-Version: 1.0\nDate: Sun, 25 Aug 2002 16:50:54 UT\n";
    let body = "Well, John\nsaid:\n> Ran across a site.\n\nBy meaning I mean this.\n";
    check(
        &format!("{head}\n{body}"),
        r#"
        Header      "Subject: "
        Subject     "x"
        Header      "\nMIME-Version: 1.0\nDate: Sun, 25 Aug 2002 16:50:54 UT\n\n"
        Body        "Well, John\nsaid:\n"
        Quoted      "> Ran across a site.\n"
        Body        "\nBy meaning I mean this.\n"
        "#,
    );
    check(
        &format!("{head}Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n{body}--b--\n"),
        r#"
        Header      "Subject: "
        Subject     "x"
        Header      "\nMIME-Version: 1.0\nDate: Sun, 25 Aug 2002 16:50:54 UT\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
        Body        "Well, John\nsaid:\n"
        Quoted      "> Ran across a site.\n"
        Body        "\nBy meaning I mean this."
        Header      "\n--b--\n"
        "#,
    );
}

/// The shapes a reliability probe once found super-linear: each is parsed in one pass
/// (a quadratic step here would keep this test running for hours), and comes out
/// right. Benchmarks (`cargo bench --bench message`) carry the speed figures.
#[test]
fn huge_and_pathological_inputs_are_read_in_one_pass() {
    let prose = "We need the report ASAP, per my last email. See https://x.example/a or mail jo@example.com. ";
    let line = prose.repeat(20_000_000 / prose.len());
    let message = Message::parse(&line);
    assert_invariants(&message);
    assert_eq!(message.regions().iter().filter(|r| r.kind == RegionKind::Link).count(), 2 * (20_000_000 / prose.len()));

    let subject = prose.repeat(10_000_000 / prose.len());
    let message = Message::parse(&format!("To: a@example.com\nSubject: {subject}\n\nHi\n"));
    assert_invariants(&message);
    assert_eq!(message.subject().map(|s| s.len()), Some(subject.len()));

    let folded = prose.repeat(1_000_000 / prose.len()).replace(". ", ".\n ");
    let message = Message::parse(&format!("To: a@example.com\nSubject: {folded}\n\nHi\n"));
    assert_invariants(&message);
    assert_eq!(message.subject().map(|s| s.len()), Some(folded.trim_end().len()));

    // A URL followed by a long run of brackets, and backtick runs of many lengths on
    // one line (none closed).
    let brackets = format!("see https://x.example/a{}", ")".repeat(1_000_000));
    let message = Message::parse(&brackets);
    let kinds: Vec<_> = message.regions().iter().map(|r| (r.kind, r.range.len())).collect();
    assert_eq!(kinds, [(RegionKind::Body, 4), (RegionKind::Link, 19), (RegionKind::Body, 1_000_000)]);
    let ticks: String = (1..1500).map(|len| format!("{} a ", "`".repeat(len))).collect();
    let message = Message::parse(&ticks);
    assert_eq!(message.regions().len(), 1);
}
