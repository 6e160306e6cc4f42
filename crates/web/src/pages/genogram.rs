//! ジェノグラム drawn from the household: □ male, ○ female, △ unknown, 本人
//! with a double line; parents above, children below, siblings beside;
//! household members living together inside a dashed line. SVG, so it is the
//! same on screen and in print, and needs no script.

use tsunagaru_domain::intake::MemberStatus;
use tsunagaru_store::MemberRow;

/// Between two people side by side: wide enough that a name of eight
/// characters under each stays clear of the other's and of the lines between.
const STEP: i32 = 124;
const SIZE: i32 = 34;
/// Between generations: the two label lines under a symbol and the bar to
/// the next generation never meet.
const ROW: i32 = 140;
const FONT: i32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Grandparent,
    Parent,
    Sibling,
    Me,
    Spouse,
    Child,
    Grandchild,
    Other,
}

fn place(relationship: &str) -> Place {
    let r = relationship.trim();
    match r {
        "本人" => Place::Me,
        "夫" | "妻" | "配偶者" | "内縁" | "内縁の夫" | "内縁の妻" => Place::Spouse,
        _ if r.starts_with("祖") => Place::Grandparent,
        "父" | "母" | "義父" | "義母" | "養父" | "養母" | "継父" | "継母" => {
            Place::Parent
        }
        _ if r.contains('孫') => Place::Grandchild,
        _ if ["兄", "弟", "姉", "妹"].iter().any(|s| r.contains(s)) => Place::Sibling,
        _ if r == "子"
            || r.ends_with('男')
            || r.ends_with('女')
            || r.contains("息子")
            || r.contains('娘') =>
        {
            Place::Child
        }
        _ => Place::Other,
    }
}

struct Node<'a> {
    member: &'a MemberRow,
    x: i32,
    y: i32,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn shape(out: &mut String, sex: Option<&str>, x: i32, y: i32, grow: i32) {
    let s = SIZE / 2 + grow;
    match sex {
        Some("male") => out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#1a1a1c\" stroke-width=\"1.5\"/>",
            x - s,
            y - s,
            2 * s,
            2 * s
        )),
        Some("female") => {
            out.push_str(&format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"{s}\" fill=\"none\" stroke=\"#1a1a1c\" stroke-width=\"1.5\"/>"))
        }
        _ => out.push_str(&format!(
            "<polygon points=\"{},{} {},{} {},{}\" fill=\"none\" stroke=\"#1a1a1c\" stroke-width=\"1.5\"/>",
            x,
            y - s,
            x - s,
            y + s,
            x + s,
            y + s
        )),
    }
}

/// The genogram of one household as an `<svg>` element.
pub fn svg(members: &[MemberRow]) -> String {
    let rows: [(Place, i32); 7] = [
        (Place::Grandparent, 0),
        (Place::Parent, 1),
        (Place::Sibling, 2),
        (Place::Child, 3),
        (Place::Grandchild, 4),
        (Place::Spouse, 2),
        (Place::Other, 2),
    ];
    let level = |p: Place| rows.iter().find(|(q, _)| *q == p).map_or(2, |(_, l)| *l);
    let y_of = |l: i32| 40 + l * ROW;
    let of = |p: Place| {
        members
            .iter()
            .filter(move |m| place(m.relationship.as_str()) == p)
    };
    let mut nodes: Vec<Node> = Vec::new();
    // Generation of 本人: siblings, 本人, spouse, others, left to right.
    let mut x = STEP / 2 + 10;
    for m in of(Place::Sibling)
        .chain(of(Place::Me))
        .chain(of(Place::Spouse))
        .chain(of(Place::Other))
    {
        nodes.push(Node {
            member: m,
            x,
            y: y_of(2),
        });
        x += STEP;
    }
    let me_x = nodes
        .iter()
        .find(|n| place(n.member.relationship.as_str()) == Place::Me)
        .map_or(STEP / 2 + 10, |n| n.x);
    let spouse_x = nodes
        .iter()
        .find(|n| place(n.member.relationship.as_str()) == Place::Spouse)
        .map(|n| n.x);
    let centered = |count: usize, center: i32| center - (count as i32 - 1) * STEP / 2;
    for (p, center) in [
        (Place::Grandparent, me_x),
        (Place::Parent, me_x),
        (Place::Child, spouse_x.map_or(me_x, |s| (me_x + s) / 2)),
        (Place::Grandchild, spouse_x.map_or(me_x, |s| (me_x + s) / 2)),
    ] {
        let group: Vec<&MemberRow> = of(p).collect();
        let start = centered(group.len(), center).max(STEP / 2);
        for (i, m) in group.into_iter().enumerate() {
            nodes.push(Node {
                member: m,
                x: start + i as i32 * STEP,
                y: y_of(level(p)),
            });
        }
    }
    let used_levels: Vec<i32> = nodes.iter().map(|n| n.y).collect();
    let top = used_levels.iter().min().copied().unwrap_or(y_of(2)) - 40;
    let bottom = used_levels.iter().max().copied().unwrap_or(y_of(2)) + SIZE / 2 + 50;
    let right = nodes.iter().map(|n| n.x).max().unwrap_or(60) + STEP;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"genogram\" role=\"img\" aria-label=\"ジェノグラム\" viewBox=\"0 {top} {right} {}\" width=\"{}\" height=\"{}\" font-size=\"{FONT}\" font-family=\"sans-serif\"><title>ジェノグラム</title>",
        bottom - top,
        right * 5 / 4,
        (bottom - top) * 5 / 4
    );
    let find = |p: Place| {
        nodes
            .iter()
            .filter(move |n| place(n.member.relationship.as_str()) == p)
    };
    // Parents: a marriage line, and a line down to their children (本人 and siblings).
    let parents: Vec<&Node> = find(Place::Parent).collect();
    if !parents.is_empty() {
        let (l, r) = (
            parents.iter().map(|n| n.x).min().unwrap_or(me_x),
            parents.iter().map(|n| n.x).max().unwrap_or(me_x),
        );
        let py = y_of(1);
        if parents.len() > 1 {
            // The marriage line joins the symbols' sides, not their centres.
            out.push_str(&format!(
                "<line x1=\"{}\" y1=\"{py}\" x2=\"{}\" y2=\"{py}\" stroke=\"#1a1a1c\"/>",
                l + SIZE / 2,
                r - SIZE / 2
            ));
        }
        // Down from the marriage line between two parents; beside a single
        // parent, so the line never runs through its labels.
        let (mid, from_y) = if parents.len() > 1 {
            ((l + r) / 2, py)
        } else {
            let drop = l + STEP / 2;
            out.push_str(&format!(
                "<line x1=\"{}\" y1=\"{py}\" x2=\"{drop}\" y2=\"{py}\" stroke=\"#1a1a1c\"/>",
                l + SIZE / 2
            ));
            (drop, py)
        };
        let bar = y_of(2) - SIZE / 2 - 20;
        let kids: Vec<i32> = find(Place::Sibling)
            .chain(find(Place::Me))
            .map(|n| n.x)
            .collect();
        out.push_str(&format!(
            "<line x1=\"{mid}\" y1=\"{from_y}\" x2=\"{mid}\" y2=\"{bar}\" stroke=\"#1a1a1c\"/>"
        ));
        let (kl, kr) = (
            kids.iter().min().copied().unwrap_or(mid).min(mid),
            kids.iter().max().copied().unwrap_or(mid).max(mid),
        );
        out.push_str(&format!(
            "<line x1=\"{kl}\" y1=\"{bar}\" x2=\"{kr}\" y2=\"{bar}\" stroke=\"#1a1a1c\"/>"
        ));
        for k in kids {
            out.push_str(&format!(
                "<line x1=\"{k}\" y1=\"{bar}\" x2=\"{k}\" y2=\"{}\" stroke=\"#1a1a1c\"/>",
                y_of(2) - SIZE / 2 - 3
            ));
        }
    }
    // 本人 and spouse, and their children.
    let y0 = y_of(2);
    if let Some(s) = spouse_x {
        out.push_str(&format!(
            "<line x1=\"{}\" y1=\"{y0}\" x2=\"{}\" y2=\"{y0}\" stroke=\"#1a1a1c\"/>",
            me_x + SIZE / 2 + 3,
            s - SIZE / 2
        ));
    }
    let children: Vec<i32> = find(Place::Child).map(|n| n.x).collect();
    if !children.is_empty() {
        // From the marriage line, or from beside 本人 (not through the labels).
        let from = match spouse_x {
            Some(s) => (me_x + s) / 2,
            None => {
                let drop = me_x + STEP / 2;
                out.push_str(&format!(
                    "<line x1=\"{}\" y1=\"{y0}\" x2=\"{drop}\" y2=\"{y0}\" stroke=\"#1a1a1c\"/>",
                    me_x + SIZE / 2 + 4
                ));
                drop
            }
        };
        let start_y = y0;
        let bar = y_of(3) - SIZE / 2 - 20;
        out.push_str(&format!(
            "<line x1=\"{from}\" y1=\"{start_y}\" x2=\"{from}\" y2=\"{bar}\" stroke=\"#1a1a1c\"/>"
        ));
        let (l, r) = (
            children.iter().min().copied().unwrap_or(from).min(from),
            children.iter().max().copied().unwrap_or(from).max(from),
        );
        out.push_str(&format!(
            "<line x1=\"{l}\" y1=\"{bar}\" x2=\"{r}\" y2=\"{bar}\" stroke=\"#1a1a1c\"/>"
        ));
        for c in children {
            out.push_str(&format!(
                "<line x1=\"{c}\" y1=\"{bar}\" x2=\"{c}\" y2=\"{}\" stroke=\"#1a1a1c\"/>",
                y_of(3) - SIZE / 2
            ));
        }
    }
    // Living together: a dashed line around them.
    let together: Vec<&Node> = nodes
        .iter()
        .filter(|n| {
            n.member.relationship.is_self()
                || (n.member.living.as_deref() == Some("together")
                    && n.member.status == MemberStatus::Current)
        })
        .collect();
    if together.len() > 1 {
        // Around the symbols and their labels, not through them.
        let l = together.iter().map(|n| n.x).min().unwrap_or(0) - STEP / 2 + 4;
        let r = together.iter().map(|n| n.x).max().unwrap_or(0) + STEP / 2 - 4;
        let t = together.iter().map(|n| n.y).min().unwrap_or(0) - SIZE / 2 - 10;
        let b = together.iter().map(|n| n.y).max().unwrap_or(0) + SIZE / 2 + 38;
        out.push_str(&format!(
            "<rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\" rx=\"12\" fill=\"none\" stroke=\"#626264\" stroke-dasharray=\"5 4\"/>",
            r - l,
            b - t
        ));
    }
    for n in &nodes {
        let sex = n.member.sex.as_deref();
        shape(&mut out, sex, n.x, n.y, 0);
        if n.member.relationship.is_self() {
            shape(&mut out, sex, n.x, n.y, 4);
        }
        // 死亡: a cross over the symbol, as genograms draw it.
        if n.member.status == MemberStatus::Deceased {
            let h = SIZE / 2 + 2;
            out.push_str(&format!(
                "<path class=\"deceased\" d=\"M{} {} L{} {} M{} {} L{} {}\" stroke=\"#1a1a1c\" stroke-width=\"1.5\"/>",
                n.x - h, n.y - h, n.x + h, n.y + h, n.x + h, n.y - h, n.x - h, n.y + h
            ));
        }
        if let Some(age) = n.member.age {
            out.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{age}</text>",
                n.x,
                n.y + 4
            ));
        }
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            n.x,
            n.y + SIZE / 2 + 4 + FONT,
            escape(n.member.relationship.as_str())
        ));
        let name: String = n.member.name.chars().take(8).collect();
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#4d4d4d\">{}</text>",
            n.x,
            n.y + SIZE / 2 + 6 + 2 * FONT,
            escape(&name)
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, relationship: &str, sex: &str, living: Option<&str>) -> MemberRow {
        MemberRow {
            consultation_id: 1,
            position: 0,
            name: name.into(),
            relationship: tsunagaru_domain::intake::Relationship::parse(relationship).unwrap(),
            sex: Some(sex.into()),
            age: Some(40),
            living: living.map(Into::into),
            troubles: String::new(),
            support: None,
            consent: tsunagaru_domain::intake::ConsentAnswer::Yes,
            status: MemberStatus::Current,
        }
    }

    #[test]
    fn symbols_follow_the_sheets_legend() {
        let svg = svg(&[
            member("盛岡 花子", "本人", "female", None),
            member("盛岡 キヨ", "母", "female", Some("together")),
            member("盛岡 一郎", "夫", "male", Some("together")),
            member("盛岡 <太>", "長男", "unknown", Some("separate_outside")),
        ]);
        assert_eq!(
            svg.matches("<circle").count(),
            3,
            "本人 (double) and 母: {svg}"
        );
        assert_eq!(
            svg.matches("<rect x").count(),
            2,
            "夫 and the household line"
        );
        assert_eq!(svg.matches("<polygon").count(), 1, "長男 of unknown sex");
        assert!(
            svg.contains("stroke-dasharray"),
            "those living together are enclosed"
        );
        assert!(svg.contains("盛岡 &lt;太&gt;"), "names are escaped");
        assert!(!svg.contains("style="), "no inline style (CSP)");
    }

    /// Every `<line>` as (x1, y1, x2, y2) and every `<text>` as its box
    /// (left, top, right, bottom), the text taken as `FONT` wide per character.
    /// A segment or a box: (x1, y1, x2, y2) or (left, top, right, bottom).
    type Rect = [i32; 4];

    fn geometry(svg: &str) -> (Vec<Rect>, Vec<(String, Rect)>) {
        let attr = |tag: &str, name: &str| -> i32 {
            let tag = format!(" {tag}");
            let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
            tag[at..].split('"').next().unwrap().parse().unwrap()
        };
        let lines = svg
            .split("<line ")
            .skip(1)
            .map(|t| [attr(t, "x1"), attr(t, "y1"), attr(t, "x2"), attr(t, "y2")])
            .collect();
        let texts = svg
            .split("<text ")
            .skip(1)
            .map(|t| {
                let content = t.split('>').nth(1).unwrap().split('<').next().unwrap();
                let (x, y) = (attr(t, "x"), attr(t, "y"));
                let half = content.chars().count() as i32 * FONT / 2;
                (
                    content.to_owned(),
                    [x - half, y - FONT + 2, x + half, y + 3],
                )
            })
            .collect();
        (lines, texts)
    }

    #[test]
    fn labels_stay_clear_of_every_line() {
        let households = [
            // A single parent: the line to 本人 comes down beside the mother.
            vec![
                member("盛岡 花子", "本人", "female", None),
                member("盛岡 キヨ", "母", "female", Some("together")),
            ],
            // 本人 with children and no spouse; siblings; both parents.
            vec![
                member("盛岡 花子", "本人", "female", None),
                member("盛岡 太郎兵衛門", "父", "male", None),
                member("盛岡 キヨ", "母", "female", None),
                member("盛岡 次郎", "弟", "male", None),
                member("盛岡 一", "長男", "male", Some("together")),
                member("盛岡 二葉", "長女", "female", Some("together")),
            ],
            // 本人 with a spouse, a child and a grandchild.
            vec![
                member("盛岡 花子", "本人", "female", None),
                member("盛岡 一郎", "夫", "male", Some("together")),
                member("盛岡 一", "長男", "male", None),
                member("盛岡 孫", "孫", "male", None),
            ],
        ];
        for household in households {
            let svg = svg(&household);
            let (lines, texts) = geometry(&svg);
            for [x1, y1, x2, y2] in &lines {
                for (label, [l, t, r, b]) in &texts {
                    // Lines are horizontal or vertical.
                    let crosses = if x1 == x2 {
                        l < x1 && x1 < r && y1.min(y2) < b && t < y1.max(y2)
                    } else {
                        t < y1 && y1 < b && x1.min(x2) < r && l < x1.max(x2)
                    };
                    assert!(
                        !crosses,
                        "「{label}」 {:?} is crossed by the line {:?}: {svg}",
                        [l, t, r, b],
                        [x1, y1, x2, y2]
                    );
                }
            }
            // Labels do not run into each other either.
            for (i, (a, [l1, t1, r1, b1])) in texts.iter().enumerate() {
                for (b_label, [l2, t2, r2, b2]) in texts.iter().skip(i + 1) {
                    let overlap = l1 < r2 && l2 < r1 && t1 < b2 && t2 < b1;
                    assert!(!overlap, "「{a}」 and 「{b_label}」 overlap: {svg}");
                }
            }
        }
    }

    #[test]
    fn a_deceased_member_is_crossed_and_one_who_moved_out_leaves_the_household_line() {
        let mut mother = member("盛岡 キヨ", "母", "female", Some("together"));
        mother.status = MemberStatus::Deceased;
        let mut son = member("盛岡 一", "長男", "male", Some("together"));
        son.status = MemberStatus::MovedOut;
        let svg = svg(&[member("盛岡 花子", "本人", "female", None), mother, son]);
        assert_eq!(svg.matches("class=\"deceased\"").count(), 1);
        assert!(
            !svg.contains("stroke-dasharray"),
            "no one lives with 本人 any more"
        );
    }
}
