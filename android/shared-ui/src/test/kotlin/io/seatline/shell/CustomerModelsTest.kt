package io.seatline.shell

import io.seatline.core.ContactKind
import io.seatline.core.ContactMethod
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class CustomerModelsTest {
    private val core = FakeCore().apply {
        me = testProfile(agentId = 7)
        customers += customer(
            1, "13800000001", "王五",
            contacts = listOf(ContactMethod(ContactKind.EMAIL, "邮箱", "wang@example.cn")),
        )
    }

    @Test
    fun r15_the_card_offers_all_five_kinds() {
        val card = CustomerCardModel(1, core, testScope(), testWorker).apply { load() }
        val sections = card.state.value.sections
        assertEquals(ContactKind.entries.toList(), sections.map { it.kind })
        assertEquals(listOf("手机", "座机", "邮箱", "微信", "QQ"), sections.map { it.label.zh })
        assertEquals(listOf("wang@example.cn"), sections.first { it.kind == ContactKind.EMAIL }.values)
        assertTrue(sections.first { it.kind == ContactKind.WECHAT }.values.isEmpty())
    }

    @Test
    fun r15_add_a_contact_of_a_kind() {
        val card = CustomerCardModel(1, core, testScope(), testWorker).apply { load() }
        card.startContact(ContactKind.WECHAT)
        assertFalse(card.state.value.draft!!.canSave)
        card.editContact(" wangwu_88 ")
        card.saveContact()
        assertNull(card.state.value.draft)
        assertEquals(listOf("wangwu_88"), card.state.value.sections.first { it.kind == ContactKind.WECHAT }.values)
    }

    @Test
    fun a_refused_contact_value_names_its_kind_and_keeps_the_draft() {
        val card = CustomerCardModel(1, core, testScope(), testWorker).apply { load() }
        card.startContact(ContactKind.EMAIL)
        card.editContact("not-an-address")
        card.saveContact()
        assertEquals("邮箱格式不正确", card.state.value.notice?.zh)
        assertNotNull(card.state.value.draft)
        assertFalse(card.state.value.saving)
    }

    @Test
    fun r40_make_mine_and_return_to_the_public_pool() {
        val card = CustomerCardModel(1, core, testScope(), testWorker).apply { load() }
        assertEquals(Labels.publicPool, card.state.value.owner)
        card.setMine(true)
        assertTrue(card.state.value.isMine)
        assertEquals(Labels.ownedByMe, card.state.value.owner)
        card.setMine(false)
        assertFalse(card.state.value.isMine)
    }

    @Test
    fun a_missing_customer_says_so() {
        val card = CustomerCardModel(99, core, testScope(), testWorker).apply { load() }
        assertFalse(card.state.value.loading)
        assertEquals(Labels.customerNotFound, card.state.value.notice)
    }

    @Test
    fun r15_add_customer_needs_only_the_mobile_and_starts_in_the_public_pool() {
        val add = AddCustomerModel("13600000006", core, testScope(), testWorker)
        assertTrue(add.state.value.canSave, "prefilled from the dial pad")
        add.save()
        val saved = add.state.value.saved!!
        assertEquals("13600000006", saved.mobile)
        assertNull(saved.name)
        assertNull(saved.ownerAgentId)
        assertEquals("add 13600000006 -", core.calls.last())
        assertFalse(add.state.value.canSave, "saved once")
    }

    @Test
    fun r15_the_mobile_is_unique_and_the_existing_card_is_offered() {
        val add = AddCustomerModel("", core, testScope(), testWorker)
        assertFalse(add.state.value.canSave, "the mobile number is required")
        add.setMobile("13800000001")
        add.setName("  王五  ")
        add.save()
        assertEquals("该号码已在客户库中", add.state.value.error?.zh)
        assertEquals(1L, add.state.value.existingId)
        add.setMobile("13800000009")
        assertNull(add.state.value.existingId)
        add.save()
        assertEquals("王五", add.state.value.saved?.name)
    }

    @Test
    fun a_malformed_mobile_is_named() {
        val add = AddCustomerModel("12ab", core, testScope(), testWorker)
        add.save()
        assertEquals("手机号码格式不正确", add.state.value.error?.zh)
        assertNull(add.state.value.saved)
    }
}
