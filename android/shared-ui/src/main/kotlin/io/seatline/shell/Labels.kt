package io.seatline.shell

import io.seatline.core.AnswerState
import io.seatline.core.ContactKind
import io.seatline.core.DeviceKind
import io.seatline.core.SessionEndReason

/** The shell's own labels. Rule texts (R2, R4, R9, R10 ...) come from the core instead. */
object Labels {
    val appName = Bilingual("Seatline 坐席", "Seatline agent")

    // Login (R1)
    val enterprise = Bilingual("企业代码", "Enterprise code")
    val jobNumber = Bilingual("工号", "Job number")
    val password = Bilingual("密码", "Password")
    val logIn = Bilingual("登录", "Log in")
    val loggingIn = Bilingual("正在登录…", "Logging in…")
    val resuming = Bilingual("正在自动登录…", "Logging in automatically…")
    val logOut = Bilingual("退出登录", "Log out")

    // Tabs
    val phoneTab = Bilingual("电话", "Phone")
    val dialTab = Bilingual("拨号", "Dial")
    val customersTab = Bilingual("客户", "Customers")
    val settingsTab = Bilingual("设置", "Settings")

    // Phone panel (R4, R7, R9)
    val phoneState = Bilingual("电话状态", "Phone state")
    val answering = Bilingual("接听", "Answering")
    val reception = Bilingual("会话接待", "Chat reception")
    val tapForDetail = Bilingual("点击查看详情", "Tap for details")
    val offlineBanner = Bilingual("与平台的连接已断开，正在重连", "Connection to the platform lost; reconnecting")
    val ok = Bilingual("知道了", "OK")

    /** R4: the answer state as the switch shows it (mobile: 关闭接听 / 开启接听). */
    fun answer(state: AnswerState): Bilingual = when (state) {
        AnswerState.PC_BUSY -> Bilingual("忙碌", "Busy")
        AnswerState.PC_IDLE -> Bilingual("空闲", "Idle")
        AnswerState.MOBILE_OFF -> Bilingual("关闭接听", "Answering off")
        AnswerState.MOBILE_ON -> Bilingual("开启接听", "Answering on")
    }

    /** R7. */
    fun reception(open: Boolean): Bilingual =
        if (open) Bilingual("开启接待", "Reception open") else Bilingual("关闭接待", "Reception closed")

    fun device(kind: DeviceKind): Bilingual = when (kind) {
        DeviceKind.PC -> Bilingual("电脑", "PC")
        DeviceKind.MOBILE -> Bilingual("手机", "Mobile")
    }

    /** R5: the other device holds answering, so this one cannot turn it on. */
    fun answeringElsewhere(kind: DeviceKind): Bilingual {
        val d = device(kind)
        return Bilingual("${d.zh}端正在接听", "Answering is on at your ${d.en}")
    }

    // Dial pad (R14)
    val call = Bilingual("呼叫", "Call")
    val paste = Bilingual("粘贴", "Paste")
    val delete = Bilingual("删除", "Delete")
    val enterNumber = Bilingual("请输入号码", "Enter a number")
    val numberTooShort = Bilingual("号码位数不足", "The number is too short")
    val addToLibrary = Bilingual("添加到客户库", "Add to customer library")
    val noDialer = Bilingual("没有可用的拨号应用", "No dialer app on this device")

    // Customer library (R15, R40)
    val searchHint = Bilingual("搜索姓名、公司或号码", "Search name, company or number")
    val mineOnly = Bilingual("我的客户", "My customers")
    val noCustomers = Bilingual("没有找到客户", "No customers found")
    val addCustomer = Bilingual("添加客户", "Add customer")
    val mobile = Bilingual("手机号码", "Mobile number")
    val mobileFixed = Bilingual("手机号码添加后不可修改", "The mobile number cannot be changed later")
    val nameOptional = Bilingual("姓名（选填）", "Name (optional)")
    val save = Bilingual("保存", "Save")
    val cancel = Bilingual("取消", "Cancel")
    val add = Bilingual("添加", "Add")
    val addContact = Bilingual("添加联系方式", "Add contact")
    val company = Bilingual("公司", "Company")
    val title = Bilingual("职位", "Title")
    val owner = Bilingual("归属", "Owner")
    val ownedByMe = Bilingual("我的客户", "Mine")
    val publicPool = Bilingual("公海", "Public pool")
    val makeMine = Bilingual("设为我的客户", "Make mine")
    val returnToPool = Bilingual("退回公海", "Return to public pool")
    val notSynced = Bilingual("待同步", "Not synced")
    val openExisting = Bilingual("查看已有客户", "Open the existing customer")
    val customerNotFound = Bilingual("客户不存在", "Customer not found")
    val contactMethods = Bilingual("联系方式", "Contact methods")
    val callNumber = Bilingual("拨打", "Call")
    val back = Bilingual("返回", "Back")

    /** R15: the five kinds; the zh-CN names are the core's (`ContactMethod.kindZh`). */
    fun contactKind(kind: ContactKind): Bilingual = when (kind) {
        ContactKind.MOBILE -> Bilingual("手机", "Mobile")
        ContactKind.LANDLINE -> Bilingual("座机", "Landline")
        ContactKind.EMAIL -> Bilingual("邮箱", "Email")
        ContactKind.WECHAT -> Bilingual("微信", "WeChat")
        ContactKind.QQ -> Bilingual("QQ", "QQ")
    }

    // Settings (R8)
    val autoLogin = Bilingual("自动登录", "Log in automatically")
    val notifications = Bilingual("通知", "Notifications")
    val microphone = Bilingual("麦克风", "Microphone")
    val speaker = Bilingual("扬声器", "Speaker")
    val microphoneVolume = Bilingual("麦克风音量", "Microphone volume")
    val speakerVolume = Bilingual("扬声器音量", "Speaker volume")
    val systemDefault = Bilingual("系统默认", "System default")
    val noDevice = Bilingual("未检测到设备", "No device found")

    fun sessionEnded(reason: SessionEndReason): Bilingual? = when (reason) {
        // The agent's own logout needs no explanation.
        SessionEndReason.LOGGED_OUT -> null
        SessionEndReason.REPLACED_BY_NEW_LOGIN ->
            Bilingual("账号已在另一台同类设备上登录", "This account logged in on another device of the same kind")
        SessionEndReason.ACCOUNT_DISABLED -> Bilingual("账号已停用", "The account is disabled")
        SessionEndReason.PASSWORD_CHANGED ->
            Bilingual("密码已被管理员修改，请重新登录", "An administrator changed the password; please log in again")
        SessionEndReason.EXPIRED -> Bilingual("登录已过期，请重新登录", "The session expired; please log in again")
    }
}
