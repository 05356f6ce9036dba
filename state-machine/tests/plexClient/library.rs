//! Library browsing and a crawl of the whole replay library.

use plexdl_core::plex::{ItemQuery, MetadataType};
use plexdl_replay::Scenario;

use crate::support::{assert_token_not_logged, direct, replay};

#[tokio::test]
async fn sections_items_paging_sort_and_filter() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    let sections = plex.sections().await.expect("sections");
    let kinds: Vec<_> = sections
        .iter()
        .map(|s| (s.key.clone().unwrap_or_default(), s.kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("1".to_string(), MetadataType::Movie),
            ("2".to_string(), MetadataType::Show)
        ]
    );

    let page = plex
        .items(
            "1",
            &ItemQuery {
                start: 0,
                size: 3,
                ..ItemQuery::default()
            },
        )
        .await
        .expect("page");
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.offset, 0);
    assert!(page.total >= 5);
    assert!(page.has_more());
    let last = plex
        .items(
            "1",
            &ItemQuery {
                start: page.total - 1,
                size: 3,
                ..ItemQuery::default()
            },
        )
        .await
        .expect("last page");
    assert_eq!(last.items.len(), 1);
    assert!(!last.has_more());

    let all = plex.all_items("1", 2).await.expect("every movie");
    assert_eq!(all.len() as u64, page.total);
    let sorted = plex
        .items(
            "1",
            &ItemQuery {
                size: 50,
                sort: Some("title:desc".into()),
                ..ItemQuery::default()
            },
        )
        .await
        .expect("sorted");
    let titles: Vec<String> = sorted
        .items
        .iter()
        .map(|m| m.title().to_lowercase())
        .collect();
    let mut expected = titles.clone();
    expected.sort();
    expected.reverse();
    assert_eq!(titles, expected);
    let filtered = plex
        .items(
            "1",
            &ItemQuery {
                title: Some("sintel".into()),
                ..ItemQuery::default()
            },
        )
        .await
        .expect("filtered");
    assert_eq!(filtered.items.len(), 1);
    assert_eq!(filtered.total, 1);
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn metadata_children_and_expansion() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    let movie = plex.metadata("1036").await.expect("Reign of Fire");
    let part = movie.parts().next().expect("a part");
    assert_eq!(part.id, Some(320_566));
    assert_eq!(part.external_subtitles().count(), 1);
    let two_parts = plex.metadata("109").await.expect("two-part movie");
    assert_eq!(two_parts.parts().count(), 2);
    assert_eq!(two_parts.total_size(), Some(3_201_024 + 2_897_152));

    let seasons = plex.children("22").await.expect("seasons");
    assert_eq!(
        seasons
            .iter()
            .filter(|s| s.kind == MetadataType::Season)
            .count(),
        2
    );
    let episodes = plex.children("89").await.expect("episodes");
    assert!(
        episodes
            .iter()
            .all(|e| e.grandparent_title.as_deref() == Some("The 100")),
        "hoisted from the container"
    );

    assert_eq!(plex.expand_for_download("68").await.expect("show").len(), 5);
    assert_eq!(
        plex.expand_for_download("69").await.expect("season").len(),
        3
    );
    let single = plex.expand_for_download("55").await.expect("movie");
    assert_eq!(
        single.iter().map(|m| m.rating_key()).collect::<Vec<_>>(),
        ["55"]
    );
}

#[tokio::test]
async fn image_urls_are_served_and_never_logged() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    let movie = plex.metadata("55").await.expect("movie");
    let url = plex
        .image_url(movie.thumb.as_deref().expect("thumb"), 120, 180)
        .await
        .expect("url");
    assert!(url.contains("/photo/:/transcode?"));
    let image = reqwest::get(&url).await.expect("fetched");
    assert_eq!(image.status(), 200);
    let bytes = image.bytes().await.expect("body");
    assert_eq!(&bytes[1..4], b"PNG");
    assert_eq!(
        u32::from_be_bytes(bytes[16..20].try_into().expect("width")),
        120
    );
    assert!(plex.image_url("../../etc/passwd", 1, 1).await.is_err());
    assert_token_not_logged(server.token());
}

#[tokio::test]
async fn crawl_of_the_whole_library_matches_the_server() {
    let server = replay(Scenario::default());
    let plex = direct(&server);
    let mut counts = std::collections::BTreeMap::new();
    let mut parts = std::collections::BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    for section in plex.sections().await.expect("sections") {
        let key = section.key.clone().expect("section key");
        for item in plex.all_items(&key, 3).await.expect("items") {
            pending.push(item.rating_key().to_string());
        }
    }
    while let Some(rating_key) = pending.pop() {
        let item = plex.metadata(&rating_key).await.expect("metadata");
        *counts.entry(format!("{:?}", item.kind)).or_insert(0) += 1;
        // Every version's files (Harbour Lights has a 4K and a 1080p one).
        parts.extend(
            item.media
                .iter()
                .flat_map(|media| media.parts.iter())
                .filter_map(|part| part.id),
        );
        if matches!(item.kind, MetadataType::Show | MetadataType::Season) {
            for child in plex.children(&rating_key).await.expect("children") {
                pending.push(child.rating_key().to_string());
            }
        }
    }
    let expected_parts: std::collections::BTreeSet<u64> =
        server.library().parts().map(|part| part.id).collect();
    assert_eq!(parts, expected_parts, "every part of the server was found");
    assert_eq!(counts["Movie"], 8);
    assert_eq!(counts["Show"], 2);
    assert_eq!(counts["Season"], 4);
    let episodes: usize = counts["Episode"];
    assert_eq!(
        episodes,
        // Ten movie files: one each, two for Paper Satellites (two parts) and two for
        // Harbour Lights (two versions).
        expected_parts.len() - 10,
        "every part that is not a movie's is an episode's"
    );
}
