//! Two replicas on one database: a user who wrote through one reads the new state from the
//! other at once, since no answer of the API is kept between reads.

use entity::rules::vocab::Role;
use serde_json::json;
use tests::TestApp;

#[tokio::test]
async fn what_is_written_through_one_replica_is_read_at_once_through_the_other() {
    let a = TestApp::new().await;
    let b = a.replica().await;
    let fo = a.user(Role::FinanceOfficer).await;
    let line = a.budget_line(&fo, "100000.00").await;
    let path = format!("/api/v1/budget-lines/{line}");

    // Read through B, as a list and as the record, before and after each write through A.
    let list = "/api/v1/budget-lines?limit=50";
    assert_eq!(
        b.get(&path, &fo.token).await.expect(200).body["amount"],
        "100000.00"
    );
    assert_eq!(
        b.get(list, &fo.token).await.expect(200).body["items"][0]["amount"],
        "100000.00"
    );
    a.patch(
        &path,
        &fo.token,
        json!({"amount": "90000.00", "reason": "预算调整"}),
    )
    .await
    .expect(200);
    assert_eq!(
        b.get(&path, &fo.token).await.expect(200).body["amount"],
        "90000.00"
    );
    assert_eq!(
        b.get(list, &fo.token).await.expect(200).body["items"][0]["amount"],
        "90000.00"
    );

    // A tender published through B reserves on the line: A's next read shows it.
    let tender = b.published_tender(&fo, line, "30000.00").await;
    let read = a.get(&path, &fo.token).await.expect(200).body;
    assert_eq!(read["reserved"], "30000.00");
    assert_eq!(read["available"], "60000.00");
    assert_eq!(
        a.get(&format!("/api/v1/tenders/{tender}"), &fo.token)
            .await
            .expect(200)
            .body["status"],
        "published"
    );
}
